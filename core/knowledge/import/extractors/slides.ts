import type { ExtractedSection } from '../types.ts';

/** One slide of a deck (PPTX or ODP), as read from its XML. */
export interface Slide {
  /** 1-based position in the deck: the number PowerPoint and Impress show, hidden slides counted. */
  number: number;
  hidden: boolean;
  /** The title placeholder's text; null when the slide has none. */
  title: string | null;
  /** The other text on the slide (text boxes, placeholders, tables), one string per shape. */
  body: string[];
  /** The speaker notes, one string per text shape of the notes page. */
  notes: string[];
}

/** The heading under a slide's title that its speaker notes sit under, so citations say what they quote. */
export const NOTES_HEADING = 'Speaker notes';

/**
 * Slides → sections, the slide number as each section's page so citations point at the slide.
 * A slide's title heads its sections; a slide with a title and nothing else is its title (a
 * section divider still says something); speaker notes follow under [title, "Speaker notes"].
 * Hidden slides are left out (in a briefing deck they hold backup or outdated material), with a
 * warning that says which, and the other slides keep their numbers.
 */
export function slidesToSections(slides: Slide[]): { sections: ExtractedSection[]; warnings: string[] } {
  const sections: ExtractedSection[] = [];
  const hidden: number[] = [];
  for (const slide of slides) {
    if (slide.hidden) {
      if (slide.title || slide.body.length > 0 || slide.notes.length > 0) hidden.push(slide.number);
      continue;
    }
    const headingPath = slide.title ? [slide.title] : [];
    const body = slide.body.filter((text) => text.trim() !== '').join('\n\n');
    const text = body || slide.title || '';
    if (text) sections.push({ headingPath, text, page: slide.number });
    const notes = slide.notes.filter((note) => note.trim() !== '').join('\n\n');
    if (notes)
      sections.push({ headingPath: [...headingPath, NOTES_HEADING], text: notes, page: slide.number });
  }
  const warnings =
    hidden.length === 0
      ? []
      : [`${hidden.length === 1 ? 'hidden slide' : 'hidden slides'} ${hidden.join(', ')} left out`];
  return { sections, warnings };
}
