import type { AuthCodeDeliveryDetails, AuthVerifiableAttributeKey } from '../types.js';

/** Cognito `CodeDeliveryDetailsType`. */
export interface CodeDeliveryDetailsWire {
  Destination?: string;
  DeliveryMedium?: string;
  AttributeName?: string;
}

export function toCodeDeliveryDetails(cdd: CodeDeliveryDetailsWire | undefined): AuthCodeDeliveryDetails<AuthVerifiableAttributeKey> {
  return {
    destination: cdd?.Destination,
    deliveryMedium: cdd?.DeliveryMedium as AuthCodeDeliveryDetails['deliveryMedium'],
    attributeName: cdd?.AttributeName as AuthVerifiableAttributeKey | undefined,
  };
}

export function toAttributeType(attributes: Record<string, string | undefined>): { Name: string; Value?: string }[] {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}
