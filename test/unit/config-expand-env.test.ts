import { expect, test } from "bun:test";
import { expandEnvValue } from "../../src/config/expand-env.ts";

const parent = { HOME: "/home/me", EMPTY: "", USER: "me" };

test("${NAME} expands from the parent environment; unset names become empty", () => {
  expect(expandEnvValue("${HOME}/bin:${USER}", parent)).toBe("/home/me/bin:me");
  expect(expandEnvValue("[${MISSING}]", parent)).toBe("[]");
});

test("${NAME:-fallback} uses the fallback when NAME is unset or empty", () => {
  expect(expandEnvValue("${MISSING:-dev}", parent)).toBe("dev");
  expect(expandEnvValue("${EMPTY:-dev}", parent)).toBe("dev");
  expect(expandEnvValue("${USER:-dev}", parent)).toBe("me");
});

test("$${NAME} is a literal, $NAME and malformed references are left alone", () => {
  expect(expandEnvValue("$${HOME}", parent)).toBe("${HOME}");
  expect(expandEnvValue("$HOME ${1BAD} ${HOME", parent)).toBe("$HOME ${1BAD} ${HOME");
});

test("expansion happens once: a parent value containing ${...} is not expanded again", () => {
  expect(expandEnvValue("${A}", { A: "${HOME}", HOME: "/h" })).toBe("${HOME}");
});

test("names inherited from Object.prototype are not environment variables", () => {
  expect(expandEnvValue("${constructor}${toString}", {})).toBe("");
});
