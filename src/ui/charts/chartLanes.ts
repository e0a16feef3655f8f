/** The lanes as the charts see them: id, name, colour, recipe; visible = not hidden. */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { LaneEntry } from '../../store';
import { RECIPES, type Recipe } from '../../train/recipes';
import { useLab } from '../lab/labContext';

export interface ChartLane {
  id: string;
  label: string;
  colour: string;
  recipe: Recipe;
  hidden: boolean;
}

/** The lane's name, or its recipe's; a second lane of a recipe (id ≠ recipe) adds its id. */
export const laneLabel = (l: LaneEntry): string =>
  l.config.label || (l.config.id === l.config.recipe ? RECIPES[l.config.recipe].label : `${RECIPES[l.config.recipe].label} · ${l.config.id}`);

export function useChartLanes(): { all: ChartLane[]; visible: ChartLane[] } {
  const { stores } = useLab();
  const lanes = useStore(stores.config, (s) => s.lanes);
  const hidden = useStore(stores.ui, (s) => s.hiddenLanes);
  return useMemo(() => {
    const all = lanes.map((l) => ({
      id: l.config.id,
      label: laneLabel(l),
      colour: l.colour,
      recipe: RECIPES[l.config.recipe],
      hidden: hidden.includes(l.config.id),
    }));
    return { all, visible: all.filter((l) => !l.hidden) };
  }, [lanes, hidden]);
}
