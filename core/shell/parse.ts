/**
 * Command-line parsing as a POSIX shell does the parts packetlab needs: words
 * with single and double quotes and backslashes, `#` comments, `;` and newlines,
 * `&&` and `||` (which may end a line), a trailing `&` for background jobs,
 * and the redirections `>`, `>>`, `1>`, `2>`, `2>&1`, `>&2` and `<`. No
 * variables, globbing, pipes or subshells. Syntax errors carry bash's messages.
 *
 * @module
 */

/** One simple command with how it joins the next one. */
export interface SimpleCommand {
  argv: string[];
  /** Redirections, in order (`<` reads a file the commands here never read from). */
  redirects: Array<{ fd: 0 | 1 | 2; op: "<" | ">" | ">>" | ">&1" | ">&2"; target: string }>;
  /** Run in the background (`&`). */
  background: boolean;
  /** How this command is joined to the previous one. */
  after: ";" | "&&" | "||";
  /** The text of the command as written (for `--echo`). */
  text: string;
}

/** A parse failure, with bash's message. */
export class ShellSyntaxError extends Error {}

/** Split shell text into simple commands. */
export function parseCommands(text: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: string[] = [];
  let redirects: SimpleCommand["redirects"] = [];
  let word = "";
  let inWord = false;
  let pendingRedirect: { fd: 0 | 1 | 2; op: "<" | ">" | ">>" } | undefined;
  let after: SimpleCommand["after"] = ";";
  let start = 0;
  const finishWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      redirects.push({ ...pendingRedirect, target: word });
      pendingRedirect = undefined;
    } else words.push(word);
    word = "";
    inWord = false;
  };
  const finishCommand = (end: number, background: boolean, next: SimpleCommand["after"]) => {
    finishWord();
    if (pendingRedirect) throw new ShellSyntaxError("syntax error near unexpected token `newline'");
    if (words.length > 0) {
      out.push({ argv: words, redirects, background, after, text: text.slice(start, end).trim() });
    } else if (next !== ";" || background) {
      throw new ShellSyntaxError(
        `syntax error near unexpected token \`${next === ";" ? "&" : next}'`,
      );
    }
    words = [];
    redirects = [];
    after = next;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      if (text[i + 1] === "\n") {
        i += 2;
        continue;
      }
      word += text[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const j = text.indexOf("'", i + 1);
      if (j < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
      word += text.slice(i + 1, j);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) {
          word += text[j + 1];
          j += 2;
          continue;
        }
        word += text[j];
        j++;
      }
      if (j >= text.length) {
        throw new ShellSyntaxError("unexpected EOF while looking for matching `\"'");
      }
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === " " || c === "\t") {
      finishWord();
      i++;
      continue;
    }
    if (c === "\n" || c === ";") {
      finishWord();
      if (c === "\n" && words.length === 0 && after !== ";" && !pendingRedirect) {
        // `a &&` at the end of a line goes on with the next line.
        i++;
        start = i;
        continue;
      }
      if (c === ";" && words.length === 0 && !pendingRedirect) {
        throw new ShellSyntaxError("syntax error near unexpected token `;'");
      }
      finishCommand(i, false, ";");
      i++;
      start = i;
      continue;
    }
    if (c === "&" && text[i + 1] === "&") {
      finishCommand(i, false, "&&");
      i += 2;
      start = i;
      continue;
    }
    if (c === "|" && text[i + 1] === "|") {
      finishCommand(i, false, "||");
      i += 2;
      start = i;
      continue;
    }
    if (c === "|") throw new ShellSyntaxError("pipes are not supported by packetlab's shell");
    if (c === "<") {
      finishWord();
      pendingRedirect = { fd: 0, op: "<" };
      i++;
      continue;
    }
    if (c === "&") {
      finishCommand(i, true, ";");
      i++;
      start = i;
      continue;
    }
    if (c === ">" || ((c === "1" || c === "2") && !inWord && text[i + 1] === ">")) {
      const fd: 1 | 2 = c === "2" ? 2 : 1;
      const at = c === ">" ? i : i + 1;
      finishWord();
      if (text.startsWith(">&1", at) || text.startsWith(">&2", at)) {
        redirects.push({ fd, op: text[at + 2] === "1" ? ">&1" : ">&2", target: "" });
        i = at + 3;
        continue;
      }
      const op = text[at + 1] === ">" ? ">>" : ">";
      pendingRedirect = { fd, op };
      i = at + op.length;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  finishWord();
  if (words.length === 0 && after !== ";" && !pendingRedirect) {
    throw new ShellSyntaxError("syntax error: unexpected end of file");
  }
  finishCommand(text.length, false, ";");
  return out;
}
