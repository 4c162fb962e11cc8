import { BadUserInputError } from '../errors';

/**
 * A connection's settings that a connector cannot use (a wrong shape, a value out of range), naming the
 * key and what was expected. BAD_USER_INPUT: the settings come from the caller (createConnection).
 */
export class ConnectorSettingsError extends BadUserInputError {}
