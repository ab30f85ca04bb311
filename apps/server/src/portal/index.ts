// The public portal's manifest: the home page, and the page frame and escaping other public pages use.
export { portalRoutes } from './portal.routes.ts';
export { type SafeHtml, html } from './html.ts';
export { renderPage } from './layout.ts';
