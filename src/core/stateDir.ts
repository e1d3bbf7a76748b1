/**
 * The project's state folder when sluice.yaml does not name one (`stateDir:`): the databases,
 * reports, model artifacts and offline store live under it. Every default refers to this one name.
 */
export const DEFAULT_STATE_DIR = '.sluice';
