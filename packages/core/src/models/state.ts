/**
 * State layout of the tracker: a 3D nearly-constant-velocity state in the tracker's global
 * Cartesian ENU frame (metres, metres per second).
 */
export const STATE_DIM = 6;
export const E = 0;
export const N = 1;
export const U = 2;
export const VE = 3;
export const VN = 4;
export const VU = 5;
/** The largest measurement dimension any model produces. */
export const MAX_MEAS_DIM = 4;
