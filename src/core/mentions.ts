/**
 * Mass and user mentions a model may write (`@everyone`, `@here`, `@channel`, Discord's `<@id>`,
 * `<@&role>`, `<#channel>`, Slack's `<!channel>`, `<!here>`, `<@U…>`), made inert by a zero-width
 * space after their trigger character, so no platform turns the agent's text into a ping. The text
 * still reads the same to a person.
 */

const ZERO_WIDTH_SPACE = '\u200b';
const MASS_MENTION = /@(everyone|here|channel)\b/gi;
const ANGLE_MENTION = /<([@#!])/g;

/** Returns `text` with every mention made inert; a person reads the same characters. */
export function neutralizeMentions(text: string): string {
  return text
    .replace(MASS_MENTION, `@${ZERO_WIDTH_SPACE}$1`)
    .replace(ANGLE_MENTION, `<$1${ZERO_WIDTH_SPACE}`);
}
