/**
 * Optional peer dependencies: a vendor SDK or an engine the application installs only when it uses
 * that feature (google-gax for Cloud Channel, bullmq for the queue, ...). Loading a module that
 * needs a missing one becomes a typed error that names the install, instead of a module-resolution
 * stack.
 */
import { EntitlementError } from './errors.ts';

export interface PeerRequirement {
  /** Who needs it, for the error (`google-channel`, `queue`, ...). */
  vendor: string;
  /** What it is needed for, in words (`Google Cloud Channel`, `the Cloud Channel emulator`). */
  feature: string;
  /** The packages the feature needs, by name. */
  packages: readonly string[];
  /** The command that installs them, when it is more than `npm install <packages>` (versions, say). */
  install?: string;
}

function missingPackage(error: unknown, packages: readonly string[]): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const message = error instanceof Error ? error.message : '';
  // A package that is present but misses one of its own dependencies is another problem.
  return packages.find(
    (name) => message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`/${name}/`),
  );
}

/** The error for a feature used without its peer dependencies. */
export function missingPeerError(
  requirement: PeerRequirement,
  missing: string,
  cause?: unknown,
): EntitlementError {
  const install = requirement.install ?? `npm install ${requirement.packages.join(' ')}`;
  return new EntitlementError({
    kind: 'failed-precondition',
    vendor: requirement.vendor,
    retryable: false,
    reason: 'MISSING_DEPENDENCY',
    message: `${requirement.feature} needs ${missing}, which is not installed. Run \`${install}\`.`,
    details: [{ missing, install }],
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Runs `load` (a dynamic import); a missing peer package becomes `missingPeerError`. */
export async function importPeer<T>(requirement: PeerRequirement, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error, requirement.packages);
    if (missing !== undefined) throw missingPeerError(requirement, missing, error);
    throw error;
  }
}
