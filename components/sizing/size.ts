/** Tenant and data-service size profiles, smallest first. */
export const SIZES = ["small", "standard", "large"] as const;
export type Size = (typeof SIZES)[number];
