export declare const INSTALL_HINT: string;
export declare function findChrome(): string;
export declare function chromeArgs(): string[];
