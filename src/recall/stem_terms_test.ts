import { stemTerms } from "./stem_terms.ts";
import { expectEqual } from "./_test_util.ts";

Deno.test("stemTerms() conflates inflections", () => {
  expectEqual(stemTerms(["paint", "painted", "painting", "paints"]), ["paint", "paint", "paint", "paint"]);
  expectEqual(stemTerms(["adoption", "agencies"]), ["adopt", "agenc"]);
});

Deno.test("stemTerms() keeps short terms and terms with digits", () => {
  expectEqual(stemTerms(["uk", "is", "2023", "7th", "mp3s"]), ["uk", "is", "2023", "7th", "mp3s"]);
});
