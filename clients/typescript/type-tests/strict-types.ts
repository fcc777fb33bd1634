/**
 * The generated types are strict: a field the spec does not list does not compile, although
 * the API serves (and the spec allows) every field a content file has. Checked by
 * `npm run check` (`tsc --noEmit`): each `@ts-expect-error` line must fail to compile, or
 * the directive itself is an error ("Unused '@ts-expect-error' directive").
 */
import type { HeroSection, Post, PostSummary, Section } from "../src/index";

export function misspelledFields(post: Post, summary: PostSummary): string {
  // @ts-expect-error `titel` is not a field of Post (a typo for `title`).
  const misspelled: unknown = post.titel;
  // @ts-expect-error `readTime` is not a field of PostSummary (a typo for `readingTime`).
  const minutes: unknown = summary.readTime;
  return `${post.title} ${summary.readingTime ?? ""} ${String(misspelled)} ${String(minutes)}`;
}

export function narrowedSections(section: Section): unknown {
  if (section.type === "HeroSection") {
    const hero: HeroSection = section;
    // @ts-expect-error `recentCount` belongs to RecentPostsSection, not to a HeroSection.
    const count: unknown = hero.recentCount;
    // @ts-expect-error the same on the narrowed union member itself.
    const again: unknown = section.recentCount;
    return [count, again];
  }
  if (section.type === "RecentPostsSection") {
    const count: number | undefined = section.recentCount; // narrowed: compiles
    return count;
  }
  return undefined;
}

export function openEnums(post: Post): string {
  // Known values are typed; a theme's own value (colors-f) is a string too.
  const colors: string | undefined = post.colors;
  const known: Post["colors"] = "colors-a";
  const themes: Post["colors"] = "colors-f";
  return `${colors ?? ""} ${known ?? ""} ${themes ?? ""}`;
}
