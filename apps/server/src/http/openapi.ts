import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '@renkei/contract';

/** Response schemas for the listed error statuses, so the OpenAPI document shows every failure's shape. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref(ErrorResponse) as unknown as typeof ErrorResponse]));
}
