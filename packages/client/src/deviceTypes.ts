/** Types of the remembered-device APIs (rememberDevice, forgetDevice, fetchDevices), as aws-amplify's. */

/** A remembered device (Amplify `AWSAuthDevice`). */
export interface AWSAuthDevice {
  id: string;
  name?: string;
  attributes: Record<string, string>;
  createDate?: Date;
  lastAuthenticatedDate?: Date;
  lastModifiedDate?: Date;
}
export type FetchDevicesOutput = AWSAuthDevice[];
export interface ForgetDeviceInput {
  device?: { id: string; name?: string };
}
