// Risks compared by content: pairs of an update with equal risk lists form one conditional-edge group, whichever
// objects hold the risks (graph-semantics §8.2).
import type { Risk } from './types.js';

/**
 * JSON of each risk object, kept as long as the object lives. A risk comes from a graph-data document that builds
 * share while the input is held (services/warm-graph.ts): serializing the ~1,600 risks again for each build was a
 * tenth of a publish's build at upstream scale.
 */
const texts = new WeakMap<Risk, string>();

function riskText(risk: Risk): string {
  let text = texts.get(risk);
  if (text === undefined) texts.set(risk, (text = JSON.stringify(risk)));
  return text;
}

/** A fresh id space: the returned function gives equal small ids to risks with equal content. */
export function riskIds(): (risk: Risk) => number {
  const byText = new Map<string, number>();
  const byObject = new Map<Risk, number>();
  return (risk) => {
    let id = byObject.get(risk);
    if (id === undefined) {
      const text = riskText(risk);
      id = byText.get(text);
      if (id === undefined) byText.set(text, (id = byText.size));
      byObject.set(risk, id);
    }
    return id;
  };
}
