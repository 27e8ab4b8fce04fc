// The phone's status page draws its DOM by hand: Svelte's runtime alone was half of its budget
// (issue 14: ≤ 30 kB gzip on a phone). These are the two helpers it needs.

type Child = Node | string | false | null | undefined;

/** An element with its attributes (`undefined`, `null` and `false` leave one out) and children. */
export function h(tag: string, attrs: Record<string, string | number | false | null | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null && value !== false) el.setAttribute(name, String(value));
  for (const child of children) if (child !== undefined && child !== null && child !== false) el.append(child);
  return el;
}

/**
 * A piece of the page built again only when what it shows changes (its key): a poll that brings
 * nothing new leaves the DOM, and a screen reader's place in it, as it was.
 */
export function piece(): (key: string, build: () => HTMLElement) => HTMLElement {
  let last: { key: string; node: HTMLElement } | undefined;
  return (key, build) => {
    if (last?.key !== key) last = { key, node: build() };
    return last.node;
  };
}

/** Makes `nodes` the children of `parent`, in order, without moving a node that stays (a survey being filled in keeps its focus). */
export function setChildren(parent: Element, nodes: Node[]): void {
  const keep = new Set(nodes);
  for (const child of [...parent.childNodes]) if (!keep.has(child)) child.remove();
  nodes.forEach((node, i) => {
    if (parent.childNodes[i] !== node) parent.insertBefore(node, parent.childNodes[i] ?? null);
  });
}
