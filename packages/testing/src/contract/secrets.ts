/** The secret the contract suite configures (and checks is never echoed). */
export const CONTRACT_SECRET = "contract-suite-secret-9f2c61";
/** A second valid secret, as during a rotation. */
export const ROTATED_SECRET = "contract-suite-rotated-4b7d03";
/** The header the suite configures; not the default, to prove it is honoured. */
export const CONTRACT_HEADER = "x-contract-secret";
