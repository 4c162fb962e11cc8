import { Extensions } from 'type-graphql';

/** Field extension read by the root-field authorization (authorize-root-fields.ts). */
export const PUBLIC_EXTENSION = 'public';

/**
 * Marks a root field as callable without an API key. Everything else requires one: the default is
 * closed, so a new resolver that forgets an annotation is protected rather than exposed.
 */
export function Public(): ReturnType<typeof Extensions> {
  return Extensions({ [PUBLIC_EXTENSION]: true });
}
