/** Geodesy on the WGS84 ellipsoid: constants, angles, ECEF, local ENU frames, look angles, geodesics. */
export * from './wgs84.js';
export * from './angles.js';
export * from './ecef.js';
export * from './enu.js';
export * from './look.js';
export * from './distance.js';
export * from './polygon.js';
