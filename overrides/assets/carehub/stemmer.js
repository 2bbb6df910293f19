/*
 * The Snowball English stemmer ("Porter2"), as Snowball 3.1.1 defines it: the stemmer the index is built with
 * (Python's snowballstemmer, src/carehub/publish/search/words.py), so that a word a query holds but no page does
 * ("evaluates") still reaches the stem its other forms were indexed under ("evalu").
 *
 * Hand-written from the algorithm (https://snowballstem.org/algorithms/english/stemmer.html and the 3.x changes:
 * more R1 prefixes, "ogist", no undoubling of "add", "egg" and "off", "dying" -> "die" in Step 1b).  Why not a
 * library: npm's snowball-stemmers (0.6.0, 2016) predates Snowball 3 and stems 8 of 1,800 of the hub's words
 * differently ("emergency", "university", "added"); @orama/stemmers' English is the original Porter stemmer
 * (119 differences); multilingual-stemmer ships a 376 KB WebAssembly file of 34 languages.  This file is
 * 2.7 KB gzipped.  tests/browser/test_search.py runs it in Chromium against Python's stemmer on every word of the
 * site it builds, and on a list of hard cases.
 *
 * Must not fetch, touch the page or know the index: it only turns a normalised word (a-z0-9) into its stem.
 */

const VOWEL = new Set("aeiouy");
const prefixes = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"];
const EXCEPTIONS = new Map([
  ["skis", "ski"], ["skies", "sky"], ["idly", "idl"], ["gently", "gentl"], ["ugly", "ugli"], ["early", "earli"],
  ["only", "onli"], ["singly", "singl"], ["sky", "sky"], ["news", "news"], ["howe", "howe"], ["atlas", "atlas"],
  ["cosmos", "cosmos"], ["bias", "bias"], ["andes", "andes"],
]);
const KEPT_BEFORE_ING = new Set(["even", "cann", "inn", "earr", "herr", "out"]);
const STEP2 = [
  ["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"], ["iveness", "ive"],
  ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"], ["entli", "ent"], ["ation", "ate"], ["alism", "al"],
  ["aliti", "al"], ["ousli", "ous"], ["iviti", "ive"], ["fulli", "ful"], ["ogist", "og"], ["enci", "ence"],
  ["anci", "ance"], ["abli", "able"], ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"],
  ["ogi", "og"], ["li", ""],
];
const STEP3 = [
  ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"], ["ative", ""],
  ["ical", "ic"], ["ness", ""], ["ful", ""],
];
const STEP4 = ["ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive",
  "ize", "ion", "al", "er", "ic"];

const isVowel = (c) => VOWEL.has(c); // "Y" (a consonant y) is not a vowel

/** The longest of `suffixes` (strings, or [suffix, replacement] pairs) that `word` ends with, or undefined. */
function longest(word, suffixes) {
  let best;
  for (const entry of suffixes) {
    const suffix = typeof entry === "string" ? entry : entry[0];
    if (word.endsWith(suffix) && (!best || suffix.length > (typeof best === "string" ? best : best[0]).length)) best = entry;
  }
  return best;
}

/** Where the region after the first non-vowel that follows a vowel at or after `from` begins (the word's length if none). */
function regionAfter(word, from) {
  for (let i = from + 1; i < word.length; i++) if (!isVowel(word[i]) && isVowel(word[i - 1])) return i + 1;
  return word.length;
}

/** Whether `word` ends in a short syllable, as Snowball 3 defines it (and "past", for "paste"). */
function endsShort(word) {
  const n = word.length;
  if (n >= 3 && !isVowel(word[n - 1]) && !"wxY".includes(word[n - 1]) && isVowel(word[n - 2]) && !isVowel(word[n - 3])) return true;
  if (n === 2 && !isVowel(word[1]) && isVowel(word[0])) return true;
  return word.endsWith("past");
}

function hasVowel(text) {
  for (const c of text) if (isVowel(c)) return true;
  return false;
}

export function stem(input) {
  let word = input;
  if (EXCEPTIONS.has(word)) return EXCEPTIONS.get(word);
  if (word.length < 3) return word;
  // Prelude: a y that is a consonant (first letter, or after a vowel) is written Y.
  if (word[0] === "'") word = word.slice(1);
  let yFound = false;
  let marked = "";
  for (let i = 0; i < word.length; i++) {
    const consonantY = word[i] === "y" && (i === 0 || isVowel(marked[i - 1]));
    if (consonantY) yFound = true;
    marked += consonantY ? "Y" : word[i];
  }
  word = marked;
  const prefix = prefixes.find((p) => word.startsWith(p));
  // R1 and R2 (as positions): after a known prefix or the first non-vowel after a vowel; R2 the same again.
  const p1 = prefix ? prefix.length : regionAfter(word, 0);
  const p2 = regionAfter(word, p1);

  // Step 1a
  for (const s of ["'s'", "'s", "'"]) {
    if (word.endsWith(s)) {
      word = word.slice(0, -s.length);
      break;
    }
  }
  const a = longest(word, ["sses", "ied", "ies", "us", "ss", "s"]);
  if (a === "sses") word = word.slice(0, -2);
  else if (a === "ied" || a === "ies") word = word.slice(0, -3) + (word.length - 3 >= 2 ? "i" : "ie");
  else if (a === "s" && hasVowel(word.slice(0, -2))) word = word.slice(0, -1);

  // Step 1b
  const b = longest(word, ["eed", "eedly", "ed", "edly", "ing", "ingly"]);
  if (b === "eed" || b === "eedly") {
    const before = word.slice(0, -b.length);
    if (before.length >= p1 && !["succ", "proc", "exc"].includes(before)) word = before + "ee";
  } else if (b) {
    const before = word.slice(0, -b.length);
    let general = true;
    if (b === "ing") {
      if (KEPT_BEFORE_ING.has(before)) general = false;
      else if (before.length === 2 && before[1] === "y" && !isVowel(before[0])) {
        word = before[0] + "ie";
        general = false;
      }
    }
    if (general && hasVowel(before)) {
      word = before;
      if (word.endsWith("at") || word.endsWith("bl") || word.endsWith("iz")) {
        word += "e";
      } else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(word)) {
        if (!(word.length === 3 && "aeo".includes(word[0]))) word = word.slice(0, -1);
      } else if (word.length === p1 && endsShort(word)) {
        word += "e";
      }
    }
  }

  // Step 1c
  const n = word.length;
  if (n > 2 && (word[n - 1] === "y" || word[n - 1] === "Y") && !isVowel(word[n - 2])) word = word.slice(0, -1) + "i";

  // Step 2
  const two = longest(word, STEP2);
  if (two && word.length - two[0].length >= p1) {
    const before = word.slice(0, -two[0].length);
    if (two[0] === "ogi") {
      if (before.endsWith("l")) word = before + "og";
    } else if (two[0] === "li") {
      if (before && "cdeghkmnrt".includes(before[before.length - 1])) word = before;
    } else {
      word = before + two[1];
    }
  }

  // Step 3
  const three = longest(word, STEP3);
  if (three && word.length - three[0].length >= p1) {
    if (three[0] !== "ative" || word.length - 5 >= p2) word = word.slice(0, -three[0].length) + three[1];
  }

  // Step 4
  const four = longest(word, STEP4);
  if (four && word.length - four.length >= p2) {
    const before = word.slice(0, -four.length);
    if (four !== "ion") word = before;
    else if (before.endsWith("s") || before.endsWith("t")) word = before;
  }

  // Step 5
  const last = word.length - 1;
  if (word[last] === "e") {
    if (last >= p2 || (last >= p1 && !endsShort(word.slice(0, -1)))) word = word.slice(0, -1);
  } else if (word[last] === "l" && last >= p2 && word[last - 1] === "l") {
    word = word.slice(0, -1);
  }
  return yFound ? word.replaceAll("Y", "y") : word;
}
