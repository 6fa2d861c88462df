/**
 * What each recently posted or edited message shows, by message id, so an adapter skips an edit
 * that would change nothing (a streamed draft whose part is already complete). Bounded: the
 * oldest entries are forgotten, which only costs one redundant edit.
 */
export class ShownTexts {
  private readonly texts = new Map<string, string>();

  constructor(private readonly max = 500) {}

  /** Whether message `id` is known to show `text` now. */
  shows(id: string, text: string): boolean {
    return this.texts.get(id) === text;
  }

  /** Records that message `id` shows `text` now. */
  remember(id: string, text: string): void {
    this.texts.delete(id);
    this.texts.set(id, text);
    if (this.texts.size > this.max) {
      const oldest = this.texts.keys().next().value;
      if (oldest !== undefined) this.texts.delete(oldest);
    }
  }
}
