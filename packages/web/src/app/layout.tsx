import { NavLink, Outlet, useLocation } from 'react-router';
import { ConnectionIndicator } from '../components/connection-indicator.js';
import { ErrorBoundary } from '../components/error-boundary.js';
import { AccessTokenButton } from '../features/access-token/access-token-button.js';

export function Layout() {
  const location = useLocation();
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Dashboard
              </NavLink>
            </li>
            <li>
              <NavLink to="/orders" end>
                Orders
              </NavLink>
            </li>
            <li>
              <NavLink to="/orders/new">New order</NavLink>
            </li>
            <li>
              <NavLink to="/webhooks">Webhooks</NavLink>
            </li>
            <li>
              <NavLink to="/graphiql">GraphQL IDE</NavLink>
            </li>
          </ul>
        </nav>
        <div className="topbar-end">
          <ConnectionIndicator />
          <AccessTokenButton />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
