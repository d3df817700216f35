import { useEffect } from 'preact/hooks';

/**
 * Marks, once per page load, the moment a page's content is on screen: `performance.mark(
 * 'meshplane:content:<page>')`, set by an effect after the render that showed it (Preact runs
 * effects after the browser painted the frame). `npm run bench:console` reads the mark's time
 * from navigation start (bench/console/run.mjs); nothing else depends on it.
 *
 * - `sign-in`: the sign-in form is rendered.
 * - `meshes`: the meshes list holds the tenant's meshes.
 * - `topology`: the topology graph's SVG holds every node of the mesh.
 */
export function useContentMark(page: 'sign-in' | 'meshes' | 'topology', shown: boolean): void {
  useEffect(() => {
    const name = `meshplane:content:${page}`;
    if (shown && performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
  }, [page, shown]);
}
