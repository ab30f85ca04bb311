import type { CreateWebhookRequest, UpdateWebhookRequest, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from '@renkei/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

export type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret };

const id = (value: string) => encodeURIComponent(value);

/** The endpoints of the viewer's organisations (an admin: every organisation's). @example const endpoints = await listWebhooks(); */
export function listWebhooks(): Promise<WebhookEndpoint[]> {
  return apiRequest('GET', '/webhooks');
}

/** A new endpoint; its secret comes back this once. @example const { secret } = await createWebhook({ organisationId, url, events: ['case.shared'] }); */
export function createWebhook(input: CreateWebhookRequest): Promise<WebhookEndpointWithSecret> {
  return apiRequest('POST', '/webhooks', input);
}

/** @example await updateWebhook(endpointId, { active: false }); */
export function updateWebhook(endpointId: string, input: UpdateWebhookRequest): Promise<WebhookEndpoint> {
  return apiRequest('PATCH', `/webhooks/${id(endpointId)}`, input);
}

/** A new secret, shown this once. @example const { secret } = await rotateWebhookSecret(endpointId); */
export function rotateWebhookSecret(endpointId: string): Promise<WebhookEndpointWithSecret> {
  return apiRequest('POST', `/webhooks/${id(endpointId)}/rotate-secret`);
}

/** @example await pingWebhook(endpointId); */
export function pingWebhook(endpointId: string): Promise<{ deliveryId: string }> {
  return apiRequest('POST', `/webhooks/${id(endpointId)}/ping`);
}

/** @example const deliveries = await listWebhookDeliveries(endpointId); */
export function listWebhookDeliveries(endpointId: string): Promise<WebhookDelivery[]> {
  return apiRequest('GET', `/webhooks/${id(endpointId)}/deliveries?limit=50`);
}

export const webhooksKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  deliveries: (endpointId: string) => ['webhooks', 'deliveries', endpointId] as const,
};

export function useWebhooks() {
  return useQuery({ queryKey: webhooksKeys.list, queryFn: listWebhooks });
}

/** The deliveries, asked for at each opening and every few seconds while pending ones remain. */
export function useWebhookDeliveries(endpointId: string) {
  return useQuery({
    queryKey: webhooksKeys.deliveries(endpointId),
    queryFn: () => listWebhookDeliveries(endpointId),
    // Deliveries happen out of band: every opening asks again.
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.some((d) => d.state === 'pending') ? 3_000 : false),
  });
}

function useWebhookMutation<I, O>(mutationFn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: webhooksKeys.all }) });
}

export const useCreateWebhook = () => useWebhookMutation(createWebhook);
export const useUpdateWebhook = () =>
  useWebhookMutation(({ endpointId, ...input }: UpdateWebhookRequest & { endpointId: string }) => updateWebhook(endpointId, input));
export const useRotateWebhookSecret = () => useWebhookMutation(rotateWebhookSecret);
export const usePingWebhook = () => useWebhookMutation(pingWebhook);
