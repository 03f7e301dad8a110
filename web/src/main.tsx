import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Console } from './console/Console';
import { TenantApp } from './app/TenantApp';
import { TenantPicker } from './app/TenantPicker';
import './i18n';
import { queryClient } from './query';
import { useRoute } from './router';
import './styles.css';

// One bundle, two faces: the control plane serves it at /console (operators), the data
// plane at /app (tenant users). Each talks only to its own origin's public API. Which
// face and screen a path shows is in the route table (routes.ts).
function Root() {
  const route = useRoute();
  if (route?.name.startsWith('console') || (!route && location.pathname.startsWith('/console'))) return <Console route={route} />;
  if (route && 'slug' in route.params) return <TenantApp key={route.params.slug} slug={route.params.slug} route={route} />;
  return <TenantPicker />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <Root />
      </QueryClientProvider>
    </StrictMode>,
  );
}
