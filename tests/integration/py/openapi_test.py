# SPDX-License-Identifier: MIT
"""The OpenAPI 3.1 document swoop serves, from outside, against openapi_server.cpp.

- Redocly CLI 2.x (from npm, node/openapi_lint.sh) lints it with every structural and
  correctness rule as an error (redocly.yaml), and refuses broken copies of it.
- Its content, exactly: paths and methods, parameters, bodies, answers, security, components.
- Its JSON Schemas agree with what swoop accepts: a table of bodies goes to the server and to
  jsonschema's Draft 2020-12 validator, which must agree but for KNOWN_DIFFERENCES.
- FastAPI, declaring the same API (openapi_fastapi_app.py), describes the same operations and
  shapes but for FASTAPI_DIFFERENCES.
Usage: openapi_test.py SERVER_BINARY NODE_WORK_DIR [BLUEPRINTS_EXAMPLE] (with the example, its
document is linted too). Exits 77 (skipped) when node or npm is absent and everything else
passed.
"""
import copy
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

# scripts/setup --test installs these: a missing one fails the test, it does not skip it.
try:
    import jsonschema
    import pydantic

    import openapi_fastapi_app
except ImportError as e:
    raise SystemExit(f"openapi_test.py needs python3-jsonschema and python3-fastapi "
                     f"(scripts/setup --test): {e}") from e
if not pydantic.VERSION.startswith("1."):
    raise SystemExit(f"openapi_fastapi_app.py is written for pydantic 1.x, not {pydantic.VERSION}")

from serverproc import ServerProcess

BINARY = WORK = EXAMPLE = None
HERE = os.path.dirname(os.path.abspath(__file__))
LINT = os.path.join(HERE, "..", "node", "openapi_lint.sh")
REDOCLY_CONFIG = os.path.join(HERE, "redocly.yaml")
NODE_MISSING = []  # set when openapi_lint.sh exits 77

REF = "#/components/schemas/"
UUID = "123e4567-e89b-12d3-a456-426614174000"

# ---- what the document must hold -------------------------------------------------------------

OPERATIONS = {
    "/items": {"get", "post"}, "/items/{id}": {"get", "patch", "delete"},
    "/payments": {"post"}, "/login": {"post"}, "/whoami": {"get"}, "/tree": {"get"},
    "/users/{id}": {"get"}, "/posts/{id}": {"get"}, "/letters/{id}": {"get"},
    "/temperatures/{id}": {"get"}, "/codes/{id}": {"get"}, "/names/{id}": {"get"},
    "/files/{id}": {"get"}, "/healthz": {"get"}, "/readyz": {"get"}, "/v2/admin/stats": {"get"},
}
PATH_PARAMETERS = {  # path -> (the schema of {id}, a value that fits, one that does not)
    "/items/{id}": ({"type": "integer", "format": "int64"}, "-12", "1.5"),  # 404 "no item -12"
    "/temperatures/{id}": ({"type": "number"}, "-1.5e3", "warm"),
    "/users/{id}": ({"type": "string", "format": "uuid"}, UUID, UUID[:-1]),
    "/posts/{id}": ({"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}, "a-1", "a--1"),
    "/letters/{id}": ({"type": "string", "pattern": "^[A-Za-z]+$"}, "abC", "ab1"),
    "/codes/{id}": ({"type": "string", "pattern": "^(?:^[A-Z]{3}$)$"}, "ABC", "ABCD"),
    "/names/{id}": ({"type": "string"}, "a.b~c", None),
    "/files/{id}": ({"type": "string"}, "a/b/c.txt", None),
}

# ---- HTTP --------------------------------------------------------------------------------------


class Client:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.status, res.getheader("Content-Type"), res.read()
        finally:
            conn.close()

    def send_json(self, method, path, raw):
        # Accept: the 422 is JSON (ValidationError) when asked for, else text/plain.
        status, _, answer = self.request(method, path, raw, {
            "Content-Type": "application/json", "Accept": "application/json",
            "Authorization": "Bearer x"})
        return status, answer


# ---- JSON Schema -------------------------------------------------------------------------------


def validator(doc, name):
    """A Draft 2020-12 validator of components/schemas/name, its refs resolved in doc."""
    resolver = jsonschema.RefResolver(base_uri="", referrer=doc)
    return jsonschema.Draft202012Validator({"$ref": REF + name}, resolver=resolver)


SLUGS = iter(range(1, 10**6))


def item(**fields):
    """A NewItem body with a fresh slug (two successes may not share one) and a price."""
    body = {"slug": f"s-{next(SLUGS)}", "price": 9.5}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()
OK, BAD = True, False
CARD, TRANSFER = {"type": "card", "number": "4" * 16}, {"type": "transfer", "iban": "D" * 22}

# (what, operation, body as JSON text or a value to dump, whether it is valid)
BODIES = [
    ("minimal", "new", lambda: item(), OK),
    ("every field at its top", "new", lambda: item(
        slug="a" * 36 + f"{next(SLUGS):04d}", price=10000, qty=99, color="blue",
        tags=[{"name": "t"}] * 5, note="n", attributes={"a": "b", "c": ""}), OK),
    ("every field at its bottom", "new", lambda: item(
        price=0, qty=1, color="red", tags=[], note=None, attributes={}), OK),
    ("an integer price", "new", lambda: item(price=5), OK),
    ("20 code points, not bytes", "new", lambda: item(tags=[{"name": "\u00e9" * 19 + "\U0001F600"}]), OK),
    ("an unknown member of a Tag (not refused)", "new", lambda: item(tags=[{"name": "a", "x": 1}]), OK),
    ("no slug", "new", lambda: item(slug=DROP), BAD),
    ("no price", "new", lambda: item(price=DROP), BAD),
    ("an empty slug", "new", lambda: item(slug=""), BAD),
    ("a 41-character slug", "new", lambda: item(slug="a" * 41), BAD),
    ("a slug with capitals", "new", lambda: item(slug="Bad-Slug"), BAD),
    ("a slug with a non-ASCII letter", "new", lambda: item(slug="caf\u00e9"), BAD),
    ("a slug that is a number", "new", lambda: item(slug=12), BAD),
    ("a negative price", "new", lambda: item(price=-0.01), BAD),
    ("a price above the top", "new", lambda: item(price=10000.5), BAD),
    ("a price as a string", "new", lambda: item(price="5"), BAD),
    ("a null price", "new", lambda: item(price=None), BAD),
    ("qty 0", "new", lambda: item(qty=0), BAD),
    ("qty 100", "new", lambda: item(qty=100), BAD),
    ("qty 2.5", "new", lambda: item(qty=2.5), BAD),
    ("qty true", "new", lambda: item(qty=True), BAD),
    ("qty null", "new", lambda: item(qty=None), BAD),
    ("qty 2^31", "new", lambda: item(qty=2**31), BAD),
    ("an unknown color", "new", lambda: item(color="purple"), BAD),
    ("a color as a number", "new", lambda: item(color=1), BAD),
    ("a null color", "new", lambda: item(color=None), BAD),
    ("six tags", "new", lambda: item(tags=[{"name": "t"}] * 6), BAD),
    ("an empty tag name", "new", lambda: item(tags=[{"name": ""}]), BAD),
    ("a 21-character tag name", "new", lambda: item(tags=[{"name": "\u00e9" * 21}]), BAD),
    ("a tag without a name", "new", lambda: item(tags=[{}]), BAD),
    ("tags as a string", "new", lambda: item(tags="a"), BAD),
    ("a null tag", "new", lambda: item(tags=[None]), BAD),
    ("a note as a number", "new", lambda: item(note=5), BAD),
    ("an attribute that is a number", "new", lambda: item(attributes={"a": 1}), BAD),
    ("attributes as an array", "new", lambda: item(attributes=[]), BAD),
    ("an unknown member", "new", lambda: item(colour="red"), BAD),
    ("an array", "new", lambda: [item()], BAD),
    ("null", "new", lambda: None, BAD),
    ("nothing to change", "patch", lambda: {}, OK),
    ("a price", "patch", lambda: {"price": 1}, OK),
    ("a null price (clears nothing)", "patch", lambda: {"price": None}, OK),
    ("a null note", "patch", lambda: {"note": None}, OK),
    ("an empty note", "patch", lambda: {"note": ""}, OK),
    ("a 200-character note", "patch", lambda: {"note": "x" * 200, "price": 10000}, OK),
    ("a negative price", "patch", lambda: {"price": -1}, BAD),
    ("a price as a string", "patch", lambda: {"price": "1"}, BAD),
    ("a 201-character note", "patch", lambda: {"note": "x" * 201}, BAD),
    ("a note as a number", "patch", lambda: {"note": 5}, BAD),
    ("an unknown member", "patch", lambda: {"qty": 2}, BAD),
    ("an array", "patch", lambda: [], BAD),
    ("a card", "pay", lambda: CARD, OK),
    ("a 12-digit card", "pay", lambda: {"type": "card", "number": "1" * 12}, OK),
    ("a 19-digit card", "pay", lambda: {"type": "card", "number": "1" * 19}, OK),
    ("a transfer", "pay", lambda: TRANSFER, OK),
    ("a 15-character IBAN", "pay", lambda: {"type": "transfer", "iban": "D" * 15}, OK),
    ("a 34-character IBAN", "pay", lambda: {"type": "transfer", "iban": "D" * 34}, OK),
    ("a card with other members", "pay", lambda: dict(CARD, iban="D" * 22, x=1), OK),
    ("the tag last", "pay", lambda: {"number": "1" * 12, "type": "card"}, OK),
    ("no tag", "pay", lambda: {"number": "1" * 16}, BAD),
    ("an unknown tag", "pay", lambda: dict(CARD, type="cash"), BAD),
    ("a tag that is a number", "pay", lambda: dict(CARD, type=1), BAD),
    ("a null tag", "pay", lambda: dict(CARD, type=None), BAD),
    ("a card's tag on a transfer", "pay", lambda: dict(TRANSFER, type="card"), BAD),
    ("an 11-digit card", "pay", lambda: {"type": "card", "number": "1" * 11}, BAD),
    ("a 20-digit card", "pay", lambda: {"type": "card", "number": "1" * 20}, BAD),
    ("a card with letters", "pay", lambda: {"type": "card", "number": "1234abcd5678"}, BAD),
    ("a card number as a number", "pay", lambda: {"type": "card", "number": 4 * 10**15}, BAD),
    ("a card without a number", "pay", lambda: {"type": "card"}, BAD),
    # Longer than Pattern::max_text: swoop refuses it unsearched, the pattern refuses it too.
    ("a 5000-digit card", "pay", lambda: {"type": "card", "number": "1" * 5000}, BAD),
    ("a 14-character IBAN", "pay", lambda: {"type": "transfer", "iban": "D" * 14}, BAD),
    ("a 35-character IBAN", "pay", lambda: {"type": "transfer", "iban": "D" * 35}, BAD),
    ("a null IBAN", "pay", lambda: {"type": "transfer", "iban": None}, BAD),
    ("an array", "pay", lambda: [CARD], BAD),
    ("a string", "pay", lambda: "card", BAD),
]

# Bodies JSON Schema and swoop judge differently, on purpose: (what, operation, JSON text,
# jsonschema's verdict, swoop's verdict, why).
KNOWN_DIFFERENCES = [
    ("qty 1.0", "new", '{"slug": "@", "price": 1, "qty": 1.0}', OK, BAD,
     "JSON Schema's integer is a value without a fraction; swoop reads an integer written as "
     "one (1.0 is a number with a fraction part to C++ parsers)"),
    ("qty 1e1", "new", '{"slug": "@", "price": 1, "qty": 1e1}', OK, BAD,
     "the same: an exponent makes a number a double to swoop's reader"),
    ("a member twice", "new", '{"slug": "@", "price": 1, "price": 2}', OK, BAD,
     "JSON Schema sees the parsed object (one price, the last); swoop refuses a repeated "
     "member, as parsers disagree on which one counts"),
    ("an attribute twice", "new", '{"slug": "@", "price": 1, "attributes": {"a": "1", "a": "2"}}',
     OK, BAD, "the same, in a std::map"),
    ("a note twice", "patch", '{"note": "a", "note": "b"}', OK, BAD, "the same"),
    ("the tag twice", "pay", '{"type": "card", "number": "111111111111", "type": "card"}', OK,
     BAD, "the same, for a variant's tag"),
]

# ---- normalizing FastAPI's (3.0, pydantic) and swoop's (3.1) schemas ---------------------------

SIZE_FORMATS = {"int32", "int64", "float", "double"}  # pydantic 1 writes no number formats


def shape(schema, doc, depth=0):
    """A schema with its refs resolved and only what validates left: no titles, descriptions,
    discriminators or number formats; 3.0's nullable and 3.1's null types dropped (pydantic 1
    writes neither); `const` as a one-value enum of its type, one-element allOf merged."""
    if isinstance(schema, list):
        return [shape(s, doc, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if depth > 20:
        raise AssertionError("a recursive schema in the compared subset")
    s = dict(schema)
    if "$ref" in s:
        target = doc["components"]["schemas"][s.pop("$ref")[len(REF):]]
        s = dict(shape(target, doc, depth + 1), **s)
    if len(s.get("allOf", ())) == 1:
        s = dict(shape(s.pop("allOf")[0], doc, depth + 1), **s)
    for key in ("anyOf", "oneOf"):
        if key in s:
            branches = [b for b in s[key] if b != {"type": "null"}]
            if len(branches) == 1 and key == "anyOf":
                del s[key]
                s = dict(shape(branches[0], doc, depth + 1), **s)
            else:
                s[key] = branches
    if isinstance(s.get("type"), list):
        types = [t for t in s["type"] if t != "null"]
        s["type"] = types[0] if len(types) == 1 else types
    if "const" in s:  # which implies its type; pydantic writes both
        s["enum"] = [s.pop("const")]
        s.setdefault("type", {str: "string", int: "integer", bool: "boolean"}.get(
            type(s["enum"][0]), "?"))
    if s.get("format") in SIZE_FORMATS:
        del s["format"]
    for key in ("title", "description", "discriminator", "nullable"):
        s.pop(key, None)
    if "default" in s and s["default"] is None:
        del s["default"]
    out = {}
    for key, value in s.items():
        if key == "properties":
            out[key] = {k: shape(v, doc, depth + 1) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf"):
            out[key] = shape(value, doc, depth + 1)
        else:
            out[key] = value
    return out


def operation_shape(doc, path, method):
    """What both frameworks must agree on for one operation."""
    op = doc["paths"][path][method]
    params = {(p["name"], p["in"]): (p.get("required", False), shape(p["schema"], doc))
              for p in op.get("parameters", ())}
    body = None
    if "requestBody" in op:
        ((media, content),) = op["requestBody"]["content"].items()
        body = (op["requestBody"].get("required", False), media, shape(content["schema"], doc))
    answers = {}
    for status, answer in op["responses"].items():
        if status.startswith("2"):
            content = answer.get("content", {})
            answers[status] = {m: shape(c.get("schema", {}), doc) for m, c in content.items()}
    return {"parameters": params, "requestBody": body, "success": answers,
            "statuses": set(op["responses"])}


FASTAPI_OPERATIONS = {("/items", "get"), ("/items", "post"), ("/items/{id}", "get"),
                      ("/items/{id}", "patch"), ("/payments", "post"), ("/users/{id}", "get")}

# Where FastAPI's document legitimately differs: (path, method, key, FastAPI's, swoop's, why).
FASTAPI_DIFFERENCES = [
    ("/items", "get", ("parameters", ("tag", "query")),
     (False, {"type": "array", "items": {"type": "string"}, "default": []}),
     (False, {"type": "array", "items": {"type": "string"}}),
     "FastAPI writes the declared default []; swoop writes no default for a list parameter, "
     "which is empty when absent"),
    ("/items/{id}", "get", "statuses", {"200", "422"}, {"200", "404"},
     "a path parameter that does not fit does not match swoop's route (404, documented by the "
     "app); FastAPI answers 422"),
    ("/items/{id}", "patch", "statuses", {"200", "422"}, {"200", "404", "422"},
     "the app documents its 404"),
    ("/items", "post", "statuses", {"201", "422"}, {"201", "409", "422"},
     "the app documents its 409"),
    ("/users/{id}", "get", "statuses", {"200", "422"}, {"200"}, "as GET /items/{id}"),
    ("/users/{id}", "get", "success", {"200": {"application/json": {}}}, {"200": {}},
     "the FastAPI handler is untyped (any JSON); swoop's answers text, documented in words"),
]


def lookup(shape_of_op, key):
    if isinstance(key, tuple):
        return shape_of_op[key[0]].get(key[1])
    return shape_of_op[key]


# ---- the tests -------------------------------------------------------------------------------


class OpenApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(None, argv=[BINARY])
        cls.http = Client(cls.server.port)
        status, content_type, raw = cls.http.request("GET", "/openapi.json")
        assert status == 200 and content_type.startswith("application/json"), (status, raw)
        cls.raw = raw
        cls.doc = json.loads(raw)
        cls.tmp = tempfile.mkdtemp(prefix="swoop-openapi-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        cls.server.stop_checked()

    # -- 1. a real validator ---------------------------------------------------------------------

    def lint(self, doc, name):
        path = os.path.join(self.tmp, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
        run = subprocess.run([LINT, WORK, "lint", "--format=json", "--max-problems=1000",
                              f"--config={REDOCLY_CONFIG}", path], capture_output=True,
                             text=True, timeout=240, check=False)
        if run.returncode == 77:
            NODE_MISSING.append(True)
            self.skipTest("node or npm missing")
        try:
            report = json.loads(run.stdout[run.stdout.index("{"):])
        except ValueError:
            self.fail(f"redocly exited with {run.returncode}:\n{run.stdout}\n{run.stderr}")
        errors = [p for p in report["problems"] if p["severity"] == "error"]
        self.assertEqual(run.returncode != 0, bool(errors), run.stderr)
        return report, errors

    def test_1_redocly_accepts_the_document(self):
        report, errors = self.lint(self.doc, "served")
        self.assertEqual(errors, [])
        self.assertEqual(report["problems"], [])  # no warnings either: every rule is on or off
        self.assertTrue(report["version"].startswith("2."), report["version"])

    def test_1_redocly_accepts_the_examples_document(self):
        if not EXAMPLE:
            self.skipTest("the examples are not built")
        example = ServerProcess(None, argv=[EXAMPLE, "--port", "0"])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", example.port, timeout=10)
            conn.request("GET", "/openapi.json")
            doc = json.loads(conn.getresponse().read())
            conn.close()
        finally:
            self.assertEqual(example.stop(), 0)
        self.assertIn("/v1/api/items", doc["paths"])
        report, _ = self.lint(doc, "example")
        self.assertEqual(report["problems"], [])

    def test_1_redocly_refuses_broken_documents(self):
        def broken(change):
            doc = copy.deepcopy(self.doc)
            change(doc)
            return doc
        cases = {
            "a path parameter removed": (
                lambda d: d["paths"]["/items/{id}"]["get"].pop("parameters"),
                "path-parameters-defined"),
            "a dangling $ref": (
                lambda d: d["components"]["schemas"]["NewItem"]["properties"]["tags"]["items"]
                .update({"$ref": REF + "Nope"}), "no-unresolved-refs"),
            "an operationId twice": (
                lambda d: d["paths"]["/tree"]["get"].update(operationId="get_items"),
                "operation-operationId-unique"),
            "a parameter of an unknown place": (
                lambda d: d["paths"]["/items"]["get"]["parameters"][0].update({"in": "body"}),
                "struct"),
            "an enum value of another type": (
                lambda d: d["components"]["schemas"]["Color"]["enum"].append(1),
                "no-enum-type-mismatch"),
            "a required property that is not one": (
                lambda d: d["components"]["schemas"]["Tag"]["required"].append("nick"),
                "no-required-schema-properties-undefined"),
            "no 2xx answer": (
                lambda d: d["paths"]["/tree"]["get"]["responses"].update(
                    {"400": d["paths"]["/tree"]["get"]["responses"].pop("200")}),
                "operation-2xx-response"),
        }
        for what, (change, rule) in cases.items():
            with self.subTest(what):
                _, errors = self.lint(broken(change), what.replace(" ", "_"))
                self.assertIn(rule, {e["ruleId"] for e in errors}, errors)

    # -- 2. the content ----------------------------------------------------------------------------

    def test_2_paths_and_methods(self):
        doc = self.doc
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertEqual(doc["info"], {"title": "Shop", "version": "1.4.0",
                                       "description": "The test app of swoop's API document."})
        self.assertEqual({p: set(ops) for p, ops in doc["paths"].items()}, OPERATIONS)
        ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual([doc["paths"]["/items/{id}"][m]["operationId"] for m in ("get", "patch")],
                         ["item", "patch_items_id"])  # a route's name, else method and path
        self.assertEqual(doc["paths"]["/v2/admin/stats"]["get"]["operationId"], "admin.stats")
        # Really served, and the left-out routes really exist.
        for path, status in (("/ws", 426), ("/internal", 200), ("/docs", 200)):
            self.assertEqual(self.http.request("GET", path)[0], status, path)
        self.assertEqual(self.http.request("PURGE", "/cache")[0], 204)

    def test_2_path_parameters(self):
        for path, (schema, fits, misfits) in PATH_PARAMETERS.items():
            with self.subTest(path):
                for op in self.doc["paths"][path].values():
                    (param,) = [p for p in op["parameters"] if p["in"] == "path"]
                    self.assertEqual((param["name"], param["required"], param["schema"]),
                                     ("id", True, schema))
                # The schema says what the route matches (a string's, by jsonschema).
                url = path.replace("{id}", fits)
                status, _, answer = self.http.request("GET", url)
                self.assertTrue(status == 200 or answer == b"no item -12", (url, status))
                check = jsonschema.Draft202012Validator(schema,
                                                        format_checker=jsonschema.FormatChecker())
                if schema["type"] == "string":
                    self.assertTrue(check.is_valid(fits), fits)
                if misfits is not None:
                    url = path.replace("{id}", misfits)
                    self.assertEqual(self.http.request("GET", url)[0], 404, url)
                    if schema["type"] == "string":
                        self.assertFalse(check.is_valid(misfits), misfits)
        files = self.doc["paths"]["/files/{id}"]["get"]["parameters"][0]
        self.assertIn("description", files)

    def test_2_query_and_header_parameters(self):
        # What swoop does: a request without tag (or any other) is served.
        self.assertEqual(self.http.request("GET", "/items")[0], 200)
        self.assertEqual(self.http.request("GET", "/items?tag=a&tag=b&color=red")[0], 200)
        self.assertEqual(self.http.request("GET", "/items?limit=0")[0], 422)
        self.assertEqual(self.doc["paths"]["/items"]["get"]["parameters"], [
            {"name": "limit", "in": "query", "required": False, "schema": {
                "type": "integer", "format": "int32", "minimum": 1, "maximum": 100,
                "default": 10}},
            {"name": "order", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["asc", "desc"], "default": "asc"}},
            {"name": "color", "in": "query", "required": False, "schema": {"$ref": REF + "Color"}},
            {"name": "tag", "in": "query", "required": False, "schema": {
                "type": "array", "items": {"type": "string"}}}])
        self.assertEqual(self.doc["components"]["schemas"]["Color"],
                         {"type": "string", "enum": ["red", "green", "blue"]})
        self.assertEqual(self.doc["paths"]["/whoami"]["get"]["parameters"], [
            {"name": "X-Client", "in": "header", "required": True, "schema": {
                "type": "string", "minLength": 1, "maxLength": 64}},
            {"name": "X-Api-Version", "in": "header", "required": False, "schema": {
                "type": "integer", "format": "int32"}}])
        self.assertEqual(self.http.request("GET", "/whoami")[0], 422)
        self.assertEqual(self.http.request("GET", "/whoami", headers={"X-Client": "c"})[0], 200)

    def test_2_bodies_and_answers(self):
        paths = self.doc["paths"]
        json_of = lambda name: {"application/json": {"schema": {"$ref": REF + name}}}
        invalid = {"description": "the request does not fit: every invalid value, with its path"
                                  " (as JSON when the request accepts application/json, else as"
                                  " text or HTML)",
                   "content": dict(json_of("ValidationError"),
                                   **{"text/plain": {"schema": {"type": "string"}}})}
        post = paths["/items"]["post"]
        self.assertEqual(post["requestBody"], {"required": True, "content": json_of("NewItem")})
        self.assertEqual(post["responses"], {
            "201": {"description": "Created", "content": json_of("Item")},
            "409": {"description": "an item with this slug exists"}, "422": invalid})
        self.assertEqual(post["security"], [{"bearer": []}])
        self.assertEqual(paths["/items/{id}"]["patch"]["requestBody"]["content"],
                         json_of("ItemPatch"))
        self.assertEqual(paths["/items/{id}"]["delete"]["security"],
                         [{"bearer": []}, {"api_key": []}])
        self.assertEqual(set(paths["/items/{id}"]["delete"]["responses"]), {"204", "404"})
        self.assertEqual(paths["/items"]["get"]["responses"]["200"]["content"],
                         {"application/json": {"schema": {"type": "array",
                                                          "items": {"$ref": REF + "Item"}}}})
        self.assertEqual(paths["/login"]["post"]["requestBody"]["content"],
                         {"application/x-www-form-urlencoded": {"schema": {"$ref": REF + "Login"}}})
        self.assertEqual(paths["/payments"]["post"]["requestBody"]["content"], json_of("Payment"))
        self.assertEqual(paths["/payments"]["post"]["responses"]["200"]["content"],
                         json_of("Receipt"))
        self.assertEqual(paths["/tree"]["get"]["responses"]["200"]["content"], json_of("Node"))
        # A 422 exactly where a body, query or headers are read.
        with_422 = {(p, m) for p, ops in paths.items() for m, op in ops.items()
                    if "422" in op["responses"]}
        self.assertEqual(with_422, {("/items", "get"), ("/items", "post"), ("/items/{id}", "patch"),
                                    ("/payments", "post"), ("/login", "post"), ("/whoami", "get")})
        for p, m in with_422:
            self.assertEqual(paths[p][m]["responses"]["422"], invalid)
        secured = {(p, m) for p, ops in paths.items() for m, op in ops.items() if "security" in op}
        self.assertEqual(secured, {("/items", "post"), ("/items/{id}", "delete")})
        self.assertEqual(self.doc["components"]["securitySchemes"], {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "api_key": {"type": "apiKey", "name": "X-Api-Key", "in": "header"}})
        stats = paths["/v2/admin/stats"]["get"]
        self.assertEqual((stats["deprecated"], stats["tags"]), (True, ["admin"]))
        self.assertEqual(self.doc["components"]["schemas"]["Stats"]["properties"]["items"],
                         {"type": "integer", "minimum": 0, "maximum": 4294967295})
        deprecated = [(p, m) for p, ops in paths.items() for m, op in ops.items()
                      if op.get("deprecated")]
        self.assertEqual(deprecated, [("/v2/admin/stats", "get")])
        self.assertEqual([t["name"] for t in self.doc["tags"]],
                         ["items", "payments", "parameters", "health", "admin"])

    def test_2_components(self):
        schemas = self.doc["components"]["schemas"]
        self.assertEqual(set(schemas), {"Item", "Tag", "Color", "NewItem", "ItemPatch",
                                        "ValidationError", "Payment", "Receipt", "Login", "Node",
                                        "Stats"})
        self.assertEqual(schemas["Payment"], {"oneOf": [
            {"type": "object", "properties": {
                "type": {"const": "card"},
                "number": {"type": "string", "pattern": "^[0-9]{12,19}$"}},
             "required": ["type", "number"]},
            {"type": "object", "properties": {
                "type": {"const": "transfer"},
                "iban": {"type": "string", "minLength": 15, "maxLength": 34}},
             "required": ["type", "iban"]}]})
        self.assertEqual(schemas["Node"], {"type": "object", "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": REF + "Node"}, "default": []}},
            "required": ["name"]})
        new = schemas["NewItem"]
        self.assertEqual((new["required"], new["additionalProperties"]), (["slug", "price"], False))
        self.assertEqual(new["properties"]["color"],
                         {"$ref": REF + "Color", "default": "red"})
        self.assertEqual(new["properties"]["note"], {"type": ["string", "null"], "default": None})
        self.assertEqual(schemas["ItemPatch"]["properties"]["note"], {
            "type": ["string", "null"], "minLength": 0, "maxLength": 200})
        self.assertNotIn("required", schemas["ItemPatch"])
        # Every component is a valid 2020-12 schema, and the tree the server answers fits Node.
        for name, schema in schemas.items():
            jsonschema.Draft202012Validator.check_schema(schema)
        _, _, tree = self.http.request("GET", "/tree")
        validator(self.doc, "Node").validate(json.loads(tree))

    # -- 3. the schemas agree with swoop -----------------------------------------------------------

    def verdicts(self, operation, raw):
        schema = {"new": "NewItem", "patch": "ItemPatch", "pay": "Payment"}[operation]
        expected = validator(self.doc, schema).is_valid(json.loads(raw))
        method, path = {"new": ("POST", "/items"), "patch": ("PATCH", f"/items/{self.item_id}"),
                        "pay": ("POST", "/payments")}[operation]
        status, answer = self.http.send_json(method, path, raw)
        # Every answer fits what the document says of it.
        documented = self.doc["paths"][path if operation != "patch" else "/items/{id}"]
        schema = documented[method.lower()]["responses"][str(status)]["content"][
            "application/json"]  # send_json asks for JSON
        resolver = jsonschema.RefResolver(base_uri="", referrer=self.doc)
        jsonschema.Draft202012Validator(schema["schema"], resolver=resolver).validate(
            json.loads(answer))
        return expected, status != 422

    @property
    def item_id(self):
        if not hasattr(OpenApiTest, "_item_id"):
            status, _, body = self.http.request(
                "POST", "/items", json.dumps(item()), {"Content-Type": "application/json"})
            assert status == 201, (status, body)
            OpenApiTest._item_id = json.loads(body)["id"]
        return OpenApiTest._item_id

    def test_3_schemas_agree_with_swoop(self):
        self.assertGreaterEqual(len(BODIES), 40)
        for what, operation, make, valid in BODIES:
            with self.subTest(f"{operation}: {what}"):
                raw = json.dumps(make())
                self.assertEqual(self.verdicts(operation, raw), (valid, valid), raw[:200])

    def test_3_known_differences(self):
        for what, operation, raw, schema_says, swoop_says, _why in KNOWN_DIFFERENCES:
            with self.subTest(f"{operation}: {what}"):
                raw = raw.replace("@", f"s-{next(SLUGS)}")
                self.assertEqual(self.verdicts(operation, raw), (schema_says, swoop_says))

    # -- 4. FastAPI ---------------------------------------------------------------------------------

    def test_4_fastapi_describes_the_same_api(self):
        theirs = openapi_fastapi_app.app.openapi()
        self.assertEqual(theirs["openapi"], "3.0.2")
        self.assertEqual({(p, m) for p, ops in theirs["paths"].items() for m in ops},
                         FASTAPI_OPERATIONS)
        ours = {(p, m) for p, ops in self.doc["paths"].items() for m in ops}
        self.assertLessEqual(FASTAPI_OPERATIONS, ours)
        differences = {(p, m, k): (f, s) for p, m, k, f, s, _ in FASTAPI_DIFFERENCES}
        for path, method in sorted(FASTAPI_OPERATIONS):
            a, b = operation_shape(theirs, path, method), operation_shape(self.doc, path, method)
            keys = ["statuses", "requestBody", "success"] + [("parameters", k) for k in
                                                            a["parameters"].keys() | b["parameters"]]
            for key in keys:
                with self.subTest(f"{method} {path} {key}"):
                    got = (lookup(a, key), lookup(b, key))
                    expected = differences.pop((path, method, key), None)
                    if expected is not None:
                        self.assertEqual(got, expected)
                    else:
                        self.assertEqual(got[0], got[1])
        self.assertEqual(differences, {}, "FASTAPI_DIFFERENCES lists what was not compared")


if __name__ == "__main__":
    BINARY, WORK = sys.argv.pop(1), sys.argv.pop(1)
    EXAMPLE = sys.argv.pop(1) if len(sys.argv) > 1 else None  # examples/blueprints
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(77 if NODE_MISSING else 0)
