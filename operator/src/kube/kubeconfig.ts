import { KubeConfig } from '@kubernetes/client-node';

/** In a pod: the service account. Elsewhere: $KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const config = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) config.loadFromCluster();
  else config.loadFromDefault();
  if (!config.getCurrentCluster()) {
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG or run inside a pod');
  }
  return config;
}
