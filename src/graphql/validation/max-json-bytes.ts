import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * A JSON input (a JSONObject argument) at most `max` bytes once serialized. GraphQL bounds the request
 * (the HTTP body limit), not one argument; this keeps an argument to what its consumer can take.
 */
export function MaxJsonBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) =>
          value === null || value === undefined || Buffer.byteLength(JSON.stringify(value), 'utf8') <= max,
        defaultMessage: () => `$property must be at most ${max} bytes of JSON`,
      },
    },
    options,
  );
}
