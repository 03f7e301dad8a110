// A part of the page that failed to load its code (a lazy chunk, after a deploy or on a
// bad network) says so and offers a retry, instead of taking the whole app down.
import { Component, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { LoadError } from './states';

export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return <LoadError error={new ApiError(0, 'network', '')} retry={() => location.reload()} />;
  }
}
