import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '@renkei/contract';

/**
 * A failure's response: always JSON in the one error shape, whatever the route's success type is
 * (a file download documents `produces: application/octet-stream`, but its 404 is still JSON).
 */
export const ERROR_RESPONSE = {
  description: 'A failure, in the one error shape',
  content: { 'application/json': { schema: Type.Ref(ErrorResponse) } },
};

/**
 * Response schemas for the listed error statuses, so the OpenAPI document shows every failure's shape.
 * Typed as the ErrorResponse schema for the type provider; at run time it is the media-typed form above.
 */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ERROR_RESPONSE as unknown as typeof ErrorResponse]));
}
