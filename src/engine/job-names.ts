/**
 * The names jobs show on the dashboard: what runs and what it is about, e.g. `deploy shop/production` for an
 * operation's root job and `create-in-krane · shop/production` for one of its steps. The name is for people only:
 * workers find a job's step in its data (`step`), never by parsing its name, so jobs queued under older, bare names
 * (`create-in-krane`) run the same way.
 */
const SEPARATOR = ' · ';

/** The root job of an operation: its kind, then what it acts on when the flow says. */
export function rootJobName(kind: string, subject: string | undefined): string {
  return subject ? `${kind} ${subject}` : kind;
}

/** A step (or compensation) job: the step's name first, so it is what the eye and a search find first. */
export function stepJobName(step: string, subject: string | undefined): string {
  return subject ? `${step}${SEPARATOR}${subject}` : step;
}
