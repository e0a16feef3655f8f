/** Each lane's latest generated text: the prompt (from held-out text) and what the model wrote. */
import { useChartLanes } from '../charts/chartLanes';
import { useLive } from '../charts/useLive';
import { useLab } from './labContext';

export function SamplesPanel() {
  const { stores } = useLab();
  useLive();
  const { all } = useChartLanes();
  const lanes = stores.series.getState().lanes;
  return (
    <section className="card samples-panel" aria-labelledby="samples-h">
      <h2 id="samples-h">Generated text</h2>
      <p className="detail">Every lane continues the same held-out prompt every few steps; sampled at the shown temperature.</p>
      {all.map((lane) => {
        const samples = lanes.get(lane.id)?.samples ?? [];
        const latest = samples[samples.length - 1];
        return (
          <article key={lane.id} className="sample" data-lane={lane.id} style={{ borderLeftColor: lane.colour }}>
            <header>
              <strong>{lane.label}</strong>
              {latest && <span className="detail"> step {latest.step}, T = {latest.temperature}</span>}
            </header>
            {latest ? (
              <p className="mono sample-text">
                <span className="prompt">{latest.prompt}</span>
                <span className="completion">{latest.completion}</span>
              </p>
            ) : (
              <p className="detail">No sample yet.</p>
            )}
          </article>
        );
      })}
    </section>
  );
}
