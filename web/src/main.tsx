import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Console } from './console/Console';
import { TenantApp } from './app/TenantApp';
import { TenantPicker } from './app/TenantPicker';
import { usePath } from './router';
import './styles.css';

// One bundle, two faces: the control plane serves it at /console (operators), the data
// plane at /app (tenant users). Each talks only to its own origin's public API.
function Root() {
  const path = usePath();
  if (path.startsWith('/console')) return <Console path={path} />;
  const m = path.match(/^\/app\/t\/([a-z][a-z0-9_]{2,39})(\/.*)?$/);
  if (m) return <TenantApp key={m[1]} slug={m[1]} rest={m[2] ?? '/'} />;
  return <TenantPicker />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
