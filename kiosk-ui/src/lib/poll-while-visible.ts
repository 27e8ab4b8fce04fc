/**
 * Runs `work` now and every `ms` while the page is visible: a hidden tab stops asking, and
 * showing it again asks at once. Returns the function that stops it all.
 */
export function pollWhileVisible(work: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const follow = () => {
    clearInterval(timer);
    timer = undefined;
    if (document.visibilityState === 'hidden') return;
    work();
    timer = setInterval(work, ms);
  };
  follow();
  document.addEventListener('visibilitychange', follow);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', follow);
  };
}
