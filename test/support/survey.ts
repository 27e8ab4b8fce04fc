/**
 * The commands that take a new repair order from reception to released (every stage on the way),
 * for tests of what follows a release. `send` runs one command: through an engine or over HTTP.
 */
export async function releaseOrder(
  send: (command: Record<string, unknown>) => unknown,
  open: { plate: string; customerRef?: string; advisor?: string; model?: string },
): Promise<string> {
  const opened = (await send({ action: 'open', model: 'Camry 2.5L', advisor: 'Zhang', ...open, jobs: [{ title: 'Brakes', technicians: ['Li'] }] })) as { order: { no: string } };
  const order = opened.order.no;
  await send({ action: 'move', order, to: 'dispatched' });
  await send({ action: 'job-start', order, job: 1 });
  await send({ action: 'job-finish', order, job: 1 });
  for (const to of ['quality-check', 'washing', 'settlement', 'ready', 'released']) await send({ action: 'move', order, to });
  return order;
}
