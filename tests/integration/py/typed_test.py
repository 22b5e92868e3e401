# SPDX-License-Identifier: MIT
"""Typed request bodies (req.json<T>(), issue 20) from outside, against typed_server.cpp.

- Hypothesis generates valid Orders: each comes back exactly (200), and pydantic, holding the
  same model (typed_fastapi_app.py), reads it into the same document.
- Hypothesis breaks valid Orders in a few places: each gets a 422 whose errors name exactly
  the paths (and kinds) broken, and pydantic rejects the same paths (but for the differences
  KNOWN_DIFFERENCES shows).
- A table of bad bodies goes to typed_server and to the FastAPI app: both answer 422 naming
  the same set of paths, the one the table expects.
"""
import atexit
import copy
import http.client
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

# Hypothesis keeps a cache of Unicode's tables in its home directory (.hypothesis in the
# current one by default), written as soon as it is imported: a temporary one instead.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="swoop-typed-hypothesis-")
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _HYPOTHESIS_HOME

# scripts/setup --test installs these: a missing one fails the test, it does not skip it.
try:
    from hypothesis import HealthCheck, given, settings, strategies as st
    from fastapi.testclient import TestClient
    import pydantic

    import typed_fastapi_app
except ImportError as e:
    raise SystemExit(f"typed_test.py needs python3-hypothesis, python3-fastapi and python3-httpx "
                     f"(scripts/setup --test): {e}") from e
if not pydantic.VERSION.startswith("1."):
    raise SystemExit(f"typed_fastapi_app.py is written for pydantic 1.x, not {pydantic.VERSION}")

from serverproc import ServerProcess

BINARY = None

# Deterministic (CI), no example database, no per-example deadline (ASan).
EXAMPLES = settings(derandomize=True, database=None, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ORDER_FIELDS = ("customer", "items", "note", "counters")  # in described (written) order
ITEM_FIELDS = ("name", "price", "qty", "color", "tags", "size")
SIZE_FIELDS = ("w", "h")
SLUG_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"
INT32_MIN, INT32_MAX = -2**31, 2**31 - 1


# ---- swoop's path notation -----------------------------------------------------------------

def _is_identifier(key):
    return (key != "" and not "0" <= key[0] <= "9" and
            all(c.isascii() and (c.isalnum() or c in "_$") for c in key))


def swoop_path(steps):
    """The path swoop writes for a sequence of keys (str) and indices (int), as
    append_path_key/append_path_index do: `.name` for identifiers up to 64 bytes, else
    `['key']` with ' and \\ escaped, control characters as \\u00XX, cut after 64 bytes (at a
    character boundary) with "..."."""
    path = ""
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
        elif _is_identifier(step) and len(step) <= 64:
            path += ("." if path else "") + step
        else:
            raw = step.encode("utf-8")
            shown = bytearray()
            n = 0
            while n < len(raw) and n < 64:
                c = raw[n]
                if c in b"'\\":
                    shown += b"\\" + bytes([c])
                elif c < 0x20:
                    shown += f"\\u{c:04x}".encode()
                else:
                    shown.append(c)
                n += 1
            while n < len(raw) and raw[n] & 0xC0 == 0x80:
                shown.append(raw[n])
                n += 1
            path += "['" + shown.decode("utf-8") + ("..." if n < len(raw) else "") + "']"
    return path


def pydantic_paths(errors):
    """pydantic's error locations (("body", "items", 2, "qty") from FastAPI, or without "body"
    from a model) in swoop's notation."""
    out = set()
    for error in errors:
        loc = tuple(error["loc"])
        if loc[:1] == ("body",):
            loc = loc[1:]
        out.add(swoop_path(loc))
    return out


# ---- talking to typed_server ---------------------------------------------------------------

class Connection:
    """One keep-alive HTTP connection to the server, opened again if the server closed it."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def post(self, body, path="/items", content_type="application/json"):
        """POSTs body (bytes); returns (status, Content-Type, body bytes)."""
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request("POST", path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, response.getheader("Content-Type"), data
        raise AssertionError("unreachable")


def encode(document, ascii_only=True):
    return json.dumps(document, ensure_ascii=ascii_only).encode("utf-8")


def same(a, b):
    """Equality that tells 1 from 1.0 and True, 0.0 from -0.0, and keeps dict members' order
    out of it."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def issues_of(test, status, content_type, body):
    """The issues of a 422 answer, after checking its shape: {"error": {"status", "message",
    "context": {"errors": [{"path", "message", "kind"}]}}}."""
    test.assertEqual(status, 422, body)
    test.assertEqual(content_type, "application/json")
    document = json.loads(body.decode("utf-8"))
    test.assertEqual(list(document), ["error"])
    error = document["error"]
    test.assertEqual(list(error), ["status", "message", "context"])
    test.assertEqual(error["status"], 422)
    test.assertEqual(list(error["context"]), ["errors"])
    issues = error["context"]["errors"]
    test.assertTrue(issues)
    count = len(issues)
    test.assertTrue(error["message"].startswith(
        "1 invalid value: " if count == 1 else f"{count} invalid values: "), error["message"])
    for issue in issues:
        test.assertEqual(list(issue), ["path", "message", "kind"])
        test.assertIsInstance(issue["path"], str)
        test.assertTrue(issue["message"])
        test.assertIn(issue["kind"], ("missing", "type", "range", "length", "pattern", "one_of",
                                      "items", "enum", "unknown_field", "duplicate"))
    return issues


# ---- valid Orders ---------------------------------------------------------------------------

slugs = st.text(alphabet=SLUG_ALPHABET, min_size=1, max_size=40)
# Free text: every code point but the surrogates (astral ones and NUL included).
texts = st.text(max_size=12)
# Member names: some longer than the 64 bytes a path shows of one.
keys = texts | st.text(min_size=60, max_size=80)
prices = st.one_of(
    st.floats(min_value=0.0, max_value=10000.0),  # finite: subnormals included
    st.integers(min_value=0, max_value=10000),    # a JSON integer is a double's value too
    st.sampled_from([-0.0, 0.0, 10000.0, 5e-324, 0.1, 1234.5678, 9999.999999999998]))
# Members neither model names: both ignore them in an Item or Order (Size refuses them).
# Integers stay within what simdjson reads (int64 and uint64); see KNOWN_DIFFERENCES.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**63, max_value=2**64 - 1) |
    st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6)


def extras(known):
    return st.dictionaries(texts.filter(lambda k: k not in known), json_values, max_size=2)


@st.composite
def sizes(draw):
    return {"w": draw(st.integers(1, 1000)), "h": draw(st.integers(1, 1000))}


@st.composite
def shuffled(draw, members):
    """An object with its members in any order (the order of a JSON object carries nothing)."""
    return dict(draw(st.permutations(list(members.items()))))


@st.composite
def items(draw):
    """(what is sent, what comes back) for a valid Item."""
    price = draw(prices)
    sent = {"name": draw(slugs), "price": price, "qty": draw(st.integers(1, 99)),
            "color": draw(st.sampled_from(["red", "green", "blue"]))}
    back = dict(sent, price=float(price))  # a double is written with a decimal point
    tags = draw(st.none() | st.lists(texts, max_size=5))
    if tags is None:  # missing: the default, []
        back["tags"] = []
    else:
        sent["tags"] = back["tags"] = tags
    size = draw(st.sampled_from(["missing", "null", "value"]))
    back["size"] = None  # an empty std::optional is written as null
    if size == "null":
        sent["size"] = None
    elif size == "value":
        sent["size"] = back["size"] = draw(sizes())
    sent.update(draw(extras(ITEM_FIELDS)))
    return draw(shuffled(sent)), {k: back[k] for k in ITEM_FIELDS}


@st.composite
def orders(draw, min_items=0):
    """(what is sent, what comes back) for a valid Order."""
    pairs = draw(st.lists(items(), min_size=min_items, max_size=10))
    sent = {"customer": draw(slugs), "items": [s for s, _ in pairs]}
    back = {"customer": sent["customer"], "items": [b for _, b in pairs], "note": None}
    note = draw(st.sampled_from(["missing", "null", "value"]))
    if note == "null":
        sent["note"] = None
    elif note == "value":
        sent["note"] = back["note"] = draw(st.text())
    counters = draw(st.none() | st.dictionaries(keys, st.integers(INT32_MIN, INT32_MAX),
                                                max_size=5))
    back["counters"] = {} if counters is None else counters
    if counters is not None:
        sent["counters"] = counters
    sent.update(draw(extras(ORDER_FIELDS)))
    return draw(shuffled(sent)), back


# ---- broken Orders --------------------------------------------------------------------------
#
# A valid Order is broken at a few of its places. Each mistake names the path swoop must
# report and the kinds of issue it raises there. Most mistakes replace a value or remove it:
# what was below it is then gone, with any mistake made there. Three add instead, and leave
# what is there: elements past max_items (reported at the list's path), a member Size does
# not name, a counter that is not a 32-bit integer.
#
# swoop checks a field's constraints only once its value was read without an issue: a list
# too long is reported only when none of its elements is wrong. pydantic checks the length
# first and then skips the elements. Mistakes.expected() tells what each reports.

class Mistakes:
    def __init__(self):
        self.swoop = {}  # path tuple -> kinds
        self.pydantic = set()  # path tuples
        self.too_long = set()  # path tuples of lists made too long

    def add(self, path, kinds, pydantic_refuses=True):
        self.swoop.setdefault(path, set()).update(kinds)
        if pydantic_refuses:
            self.pydantic.add(path)

    def replace(self, path):
        """Forgets the mistakes at and below path (its value is replaced or removed)."""
        def below(p):
            return p[:len(path)] == path
        self.swoop = {p: k for p, k in self.swoop.items() if not below(p)}
        self.pydantic = {p for p in self.pydantic if not below(p)}
        self.too_long = {p for p in self.too_long if not below(p)}

    def expected(self):
        """({swoop path: kinds}, {pydantic path})."""
        swoop, pydantic = dict(self.swoop), set(self.pydantic)
        for path in self.too_long:  # swoop tells both the bad elements and the length
            swoop.setdefault(path, set()).add("items")
            pydantic = {p for p in pydantic if p[:len(path)] != path} | {path}
        return ({swoop_path(p): kinds for p, kinds in swoop.items()},
                {swoop_path(p) for p in pydantic})


# What a mistake may put in place of a value of each kind (all of another JSON kind).
NOT_STRING = [5, 1.5, True, [], {}, ["a"]]
NOT_INTEGER = ["3", 3.0, 1e2, True, False, [], {}, [1]]
NOT_OBJECT = ["x", 1, 0.5, True, [], [["w", 1]]]
NOT_LIST = ["x", 1, 2.5, False, {}, {"0": 1}]
OUT_OF_RANGE = {
    "qty": [0, 100, 255, 256, -1, 2**63 - 1, 2**64 - 1, -2**63],  # a std::uint8_t, 1 to 99
    "dimension": [0, 1001, -1, INT32_MAX + 1, -2**63],
    "counter": [INT32_MAX + 1, INT32_MIN - 1, 2**63 - 1, 2**64 - 1, -2**63],
}
# Out of [0, 10000]; 2**64 - 1 is the largest integer simdjson reads (a uint64).
bad_prices = (st.sampled_from([-0.01, -5e-324, -1, 10000.000000000002, 10001, 1e300, -1e300,
                               2**64 - 1, -2**63]) |
              st.floats(min_value=10000, exclude_min=True, allow_infinity=False) |
              st.floats(max_value=-5e-324, allow_infinity=False))


@st.composite
def bad_slugs(draw):
    """A string the slug's length or pattern refuses: (value, kinds, whether pydantic refuses
    it too). A field's constraints apply in order up to the first that fails: the length."""
    choice = draw(st.sampled_from(["long", "empty", "pattern", "newline"]))
    if choice == "long":
        return draw(st.text(alphabet=SLUG_ALPHABET, min_size=41, max_size=60)), {"length"}, True
    if choice == "empty":  # `+` needs a character too
        return "", {"length"}, True
    if choice == "newline":
        # ECMAScript's `$` is the end of the text; Python's also matches before a final "\n".
        return draw(st.text(alphabet=SLUG_ALPHABET, min_size=1, max_size=39)) + "\n", \
            {"pattern"}, False
    value = draw(st.text(alphabet=SLUG_ALPHABET, max_size=30)) + draw(
        st.text(min_size=1, max_size=15).filter(lambda s: any(c not in SLUG_ALPHABET for c in s)))
    return value, {"pattern"} if len(value) <= 40 else {"length"}, True


def places(order):
    """Every place of a valid Order a mistake can go: (path tuple, what is there)."""
    out = [(("customer",), "slug"), (("items",), "items"), (("note",), "note"),
           (("counters",), "counters"), (("counters",), "new counter")]
    out += [(("counters", k), "counter") for k in order.get("counters", {})]
    for i, item in enumerate(order["items"]):
        base = ("items", i)
        out += [(base, "item"), (base + ("name",), "slug"), (base + ("price",), "price"),
                (base + ("qty",), "qty"), (base + ("color",), "color"),
                (base + ("tags",), "tags"), (base + ("size",), "size")]
        out += [(base + ("tags", j), "tag") for j in range(len(item.get("tags", [])))]
        if item.get("size") is not None:
            out += [(base + ("size",), "unknown member")]
            out += [(base + ("size", f), "dimension") for f in SIZE_FIELDS]
    return out


REQUIRED = ("slug", "items", "price", "qty", "color", "dimension")


@st.composite
def broken_orders(draw):
    """(a broken Order, {path: kinds} swoop reports, the set of paths pydantic reports)."""
    order = copy.deepcopy(draw(orders(min_items=draw(st.sampled_from([0, 1, 1, 1]))))[0])
    where = places(order)
    # A kind of place first, then one of them: each kind as likely, however many there are.
    by_kind = {}
    for path, what in where:
        by_kind.setdefault(what, []).append(path)
    chosen = []
    for what in draw(st.lists(st.sampled_from(sorted(by_kind)), min_size=1, max_size=4)):
        place = (draw(st.sampled_from(by_kind[what])), what)
        if place not in chosen:
            chosen.append(place)
    mistakes = Mistakes()
    gone = []  # paths replaced or removed
    for path, what in chosen:
        if any(path[:len(g)] == g for g in gone):
            continue  # it is no longer there
        parent = order
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        # Adding to what is there.
        if what == "new counter":
            if not isinstance(parent.get(key, {}), dict):
                continue
            name = draw(keys.filter(lambda k, c=parent.get(key, {}): k not in c))
            value = draw(st.sampled_from(OUT_OF_RANGE["counter"] + [1.5, "7", None, True]))
            parent.setdefault(key, {})[name] = value
            is_integer = isinstance(value, int) and not isinstance(value, bool)
            mistakes.add(path + (name,), {"range" if is_integer else "type"})
            continue
        if what == "unknown member":
            name = draw(keys.filter(lambda k: k not in SIZE_FIELDS))
            parent[key][name] = draw(json_values)
            mistakes.add(path + (name,), {"unknown_field"})
            continue
        if what in ("items", "tags") and draw(st.booleans()):  # too many elements
            limit = 10 if what == "items" else 5
            have = parent.setdefault(key, [])
            have += draw(st.lists(items().map(lambda pair: pair[0]) if what == "items" else texts,
                                  min_size=limit + 1 - len(have), max_size=limit + 3 - len(have)))
            mistakes.too_long.add(path)
            continue
        # Replacing (or removing) what is there.
        gone.append(path)
        mistakes.replace(path)
        how = draw(st.sampled_from(["missing", "null", "wrong", "wrong", "wrong"])
                   if what in REQUIRED else st.just("wrong"))
        if how == "missing":
            del parent[key]
            mistakes.add(path, {"missing"})
        elif how == "null":  # null where the value is not optional
            parent[key] = None
            mistakes.add(path, {"type"})
        elif what == "slug":
            if draw(st.booleans()):
                parent[key] = draw(st.sampled_from(NOT_STRING))
                mistakes.add(path, {"type"})
            else:
                parent[key], kinds, pydantic_refuses = draw(bad_slugs())
                mistakes.add(path, kinds, pydantic_refuses)
        elif what in ("note", "tag"):
            parent[key] = draw(st.sampled_from(NOT_STRING + ([None] if what == "tag" else [])))
            mistakes.add(path, {"type"})
        elif what in ("qty", "dimension", "counter"):
            if draw(st.booleans()):
                parent[key] = draw(st.sampled_from(NOT_INTEGER + [None]))
                mistakes.add(path, {"type"})
            else:
                parent[key] = draw(st.sampled_from(OUT_OF_RANGE[what]))
                mistakes.add(path, {"range"})
        elif what == "price":
            if draw(st.booleans()):
                parent[key] = draw(st.sampled_from(["1.5", True, [], {}, [1.5]]))
                mistakes.add(path, {"type"})
            else:
                parent[key] = draw(bad_prices)
                mistakes.add(path, {"range"})
        elif what == "color":  # another string is an "enum" issue, another kind a "type" one
            parent[key] = draw(st.sampled_from(NOT_STRING + ["purple", "Red", "", " red",
                                                             "red\u0000", "blue\n"]))
            mistakes.add(path, {"enum" if isinstance(parent[key], str) else "type"})
        elif what in ("item", "size"):  # null is an empty size, not a mistake
            parent[key] = draw(st.sampled_from(NOT_OBJECT + ([None] if what == "item" else [])))
            mistakes.add(path, {"type"})
        elif what in ("items", "tags", "counters"):  # a has_default value may not be null
            choices = NOT_LIST if what != "counters" else [v for v in NOT_LIST + NOT_OBJECT
                                                           if not isinstance(v, dict)]
            parent[key] = draw(st.sampled_from(choices + ([None] if what != "items" else [])))
            mistakes.add(path, {"type"})
        else:
            raise AssertionError(what)
    if not mistakes.swoop and not mistakes.too_long:
        # Every mistake was undone by a later one's replacement: one more, always there.
        order["customer"] = 0
        mistakes.add(("customer",), {"type"})
    return (order, *mistakes.expected())


# ---- a table of bad bodies, for swoop and FastAPI -------------------------------------------

MISSING = object()
ITEM = {"name": "pen", "price": 2.5, "qty": 1, "color": "red"}


def item(**changes):
    out = dict(ITEM, **changes)
    return {k: v for k, v in out.items() if v is not MISSING}


def order(**changes):
    out = dict({"customer": "ann", "items": [item()]}, **changes)
    return {k: v for k, v in out.items() if v is not MISSING}


# (what, body (a document, or JSON text), the paths both must report)
TABLE = [
    ("customer of the wrong type", order(customer=5), {"customer"}),
    ("customer null", order(customer=None), {"customer"}),
    ("customer missing", order(customer=MISSING), {"customer"}),
    ("customer too long", order(customer="a" * 41), {"customer"}),
    ("customer empty", order(customer=""), {"customer"}),
    ("customer not a slug", order(customer="Ann Smith"), {"customer"}),
    ("customer with a letter beyond ASCII", order(customer="jos\u00e9"), {"customer"}),
    ("items missing", order(items=MISSING), {"items"}),
    ("items an object", order(items={"0": item()}), {"items"}),
    ("items null", order(items=None), {"items"}),
    ("eleven items", order(items=[item()] * 11), {"items"}),
    ("items that are not objects", order(items=[item(), "pen", None, [["name", "pen"]]]),
     {"items[1]", "items[2]", "items[3]"}),
    ("an item without its required members", order(items=[{}]),
     {"items[0].name", "items[0].price", "items[0].qty", "items[0].color"}),
    ("qty out of range, or not an integer",
     order(items=[item(qty=q) for q in (0, 100, 256, -1, 1.0, "3", True, None, 1, 99)]),
     {f"items[{i}].qty" for i in range(8)}),
    ("price out of range, or not a number",
     order(items=[item(price=p) for p in (-0.01, 10000.5, 10001, "9.5", True, None, [], 7)]),
     {f"items[{i}].price" for i in range(7)}),
    ("an integer price is a number", order(items=[item(price=5), item(price=10001)]),
     {"items[1].price"}),
    ("color not one of the names",
     order(items=[item(color=c) for c in ("purple", "RED", 1, None, "", "green")]),
     {f"items[{i}].color" for i in range(5)}),
    ("a name too long and not a slug", order(items=[item(name="X" * 41)]), {"items[0].name"}),
    ("six tags", order(items=[item(tags=list("abcdef"))]), {"items[0].tags"}),
    ("tags that are not strings", order(items=[item(tags=["a", "b", 3, None])]),
     {"items[0].tags[2]", "items[0].tags[3]"}),
    ("tags null, tags a string", order(items=[item(tags=None), item(tags="a,b")]),
     {"items[0].tags", "items[1].tags"}),
    ("size not an object", order(items=[item(size=[]), item(size="10x10"), item(size=None)]),
     {"items[0].size", "items[1].size"}),
    ("size out of range", order(items=[item(size={"w": 0, "h": 1001})]),
     {"items[0].size.w", "items[0].size.h"}),
    ("size of the wrong types", order(items=[item(size={"w": 1.5, "h": "2"})]),
     {"items[0].size.w", "items[0].size.h"}),
    # Size refuses unknown members (json_reject_unknown, pydantic's extra = "forbid").
    ("size without h, with a member it does not name",
     order(items=[item(size={"w": 5, "depth": 3})]), {"items[0].size.h", "items[0].size.depth"}),
    ("size with unknown members, one with a name that needs quotes",
     order(items=[item(size={"w": 1, "h": 1, "d": 1, "the depth": 2, "it's": 3})]),
     {"items[0].size.d", "items[0].size['the depth']", "items[0].size['it\\'s']"}),
    # Order and Item ignore unknown members (both), Size does not.
    ("unknown members at every level",
     dict(order(items=[dict(item(size={"w": 1, "h": 1, "extra": 0}), extra=0)]), extra=0),
     {"items[0].size.extra"}),
    # pydantic 1.x's Dict would take [] (dict([]) is {}): the model refuses it, as swoop does.
    ("counters not an object", order(counters=[]), {"counters"}),
    ("counters null", order(counters=None), {"counters"}),
    ("counters not 32-bit integers",
     order(counters={"x": 1.5, "y": "2", "big": 2**31, "small": -2**31 - 1, "ok": 7,
                     "a b": True, "it's": None, "\u043a\u043b\u044e\u0447": 2**63,
                     "tab\there": [], "": {}}),
     {"counters.x", "counters.y", "counters.big", "counters.small", "counters['a b']",
      "counters['it\\'s']", "counters['\u043a\u043b\u044e\u0447']", "counters['tab\\u0009here']",
      "counters['']"}),
    # pydantic's loc holds the whole key; written in swoop's notation, it is cut as swoop cuts.
    ("a counter named by more than 64 bytes", order(counters={"k" * 70: "x", "\u20ac" * 30: 0.5}),
     {"counters['" + "k" * 64 + "...']", "counters['" + "\u20ac" * 22 + "...']"}),
    ("note not a string", order(note=5), {"note"}),
    ("a mistake deep in the tenth item",
     order(items=[item()] * 9 + [item(size={"w": 1})]), {"items[9].size.h"}),
    ("mistakes everywhere at once",
     order(customer="Ann", note=["x"], counters={"x": "1"},
           items=[item(qty=0), item(size={"w": 0, "h": 1, "extra": 1}), item(tags=list("abcdef")),
                  item(name=MISSING, price=MISSING, color="teal")]),
     {"customer", "note", "counters.x", "items[0].qty", "items[1].size.w", "items[1].size.extra",
      "items[2].tags", "items[3].name", "items[3].price", "items[3].color"}),
    # The root itself (pydantic 1.x would read [] as {}: StrictModel refuses it, as swoop does).
    ("the body an array", [], {""}),
    ("the body an array of an order", [order()], {""}),
    ("the body a string", "\"ann\"", {""}),
    ("the body a number", "5", {""}),
    ("the body null", "null", {""}),
]


# Where swoop and FastAPI/pydantic part ways, for bodies left out of TABLE:
# (what, body, swoop's (status, paths), FastAPI's (status, paths); paths None for a 400 or a
# 200, or for FastAPI's 422 for malformed JSON, whose loc is a character position).
def _eleven_items_one_bad():
    return order(items=[item()] * 10 + [item(qty=0)])


KNOWN_DIFFERENCES = [
    # ECMAScript's `$` (swoop's std::regex) is the end of the text; Python's also matches
    # before a final newline, so pydantic takes "ann\n" for a slug.
    ("a slug with a final newline", order(customer="ann\n"), (422, {"customer"}), (200, None)),
    # A list too long with a bad element: swoop tells both; pydantic checks max_items first
    # and then skips the elements.
    ("eleven items, the last one bad", _eleven_items_one_bad(),
     (422, {"items[10].qty", "items"}), (422, {"items"})),
    ("six tags, the last one not a string", order(items=[item(tags=list("abcde") + [6])]),
     (422, {"items[0].tags[5]", "items[0].tags"}), (422, {"items[0].tags"})),
    # A member twice: swoop refuses it (parsers disagree on which one counts); Python's json
    # keeps the last.
    ("customer twice, the first good", '{"customer": "ann", "customer": 5, "items": []}',
     (422, {"customer"}), (422, {"customer"})),
    ("customer twice, the first bad", '{"customer": 5, "customer": "ann", "items": []}',
     (422, {"customer"}), (200, None)),
    # Not JSON for swoop (400), numbers for Python's json (then out of range, or not an int).
    ("NaN", '{"customer": "ann", "items": [], "counters": {"x": NaN}}', (400, None),
     (422, {"counters.x"})),
    ("Infinity", '{"customer": "ann", "items": [{"name": "pen", "price": Infinity, "qty": 1, '
     '"color": "red"}]}', (400, None), (422, {"items[0].price"})),
    # Beyond a double (1E400) or 64 bits (2**64): simdjson refuses the document (400), Python
    # reads inf or a big integer.
    ("a number beyond a double", '{"customer": "ann", "items": [{"name": "pen", "price": 1E400, '
     '"qty": 1, "color": "red"}]}', (400, None), (422, {"items[0].price"})),
    ("an integer beyond 64 bits", order(items=[item(qty=2**64)]), (400, None),
     (422, {"items[0].qty"})),
    # Even in a member both ignore: swoop parses the whole document first.
    ("an integer beyond 64 bits in an ignored member", dict(order(), extra=2**64), (400, None),
     (200, None)),
    # Malformed JSON: 400 from swoop, 422 from FastAPI (loc ("body", character position)).
    ("malformed JSON", '{"customer": ', (400, None), (422, None)),
]


class TypedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(BINARY, argv=[BINARY])
        cls.conn = Connection(cls.server.port)
        cls.fastapi = TestClient(typed_fastapi_app.app)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop_checked()

    def post(self, body, ascii_only=True):
        return self.conn.post(body.encode() if isinstance(body, str) else
                              encode(body, ascii_only))

    def swoop_paths(self, body):
        return {i["path"] for i in issues_of(self, *self.post(body))}

    def fastapi_post(self, body):
        text = body if isinstance(body, str) else json.dumps(body)
        response = self.fastapi.post("/items", content=text.encode(),
                                     headers={"Content-Type": "application/json"})
        paths = None
        if response.status_code == 422:
            paths = pydantic_paths(response.json()["detail"])
        return response.status_code, paths

    @EXAMPLES
    @given(orders(), st.booleans())
    def test_valid_orders_come_back_exactly(self, pair, ascii_only):
        sent, back = pair
        status, content_type, body = self.post(sent, ascii_only)
        self.assertEqual(status, 200, body)
        self.assertEqual(content_type, "application/json")
        got = json.loads(body.decode("utf-8"))  # strict UTF-8 (json.loads(bytes) is not)
        # Every member, in the order described; absent optionals as null, absent defaulted
        # members as their default; 1 sent for a double comes back as 1.0; -0.0 stays -0.0.
        self.assertEqual(list(got), list(ORDER_FIELDS))
        for written in got["items"]:
            self.assertEqual(list(written), list(ITEM_FIELDS))
        self.assertTrue(same(got, back), f"sent {sent!r}\nexpected {back!r}\ngot {got!r}")
        # pydantic, with the same model, reads the same document.
        model = typed_fastapi_app.Order.parse_obj(json.loads(encode(sent)))
        self.assertTrue(same(json.loads(model.json()), back), model.json())

    @EXAMPLES
    @given(broken_orders(), st.booleans())
    def test_broken_orders_get_422_naming_every_mistake(self, case, ascii_only):
        document, expected, pydantic_expected = case
        got = {}
        for issue in issues_of(self, *self.post(document, ascii_only)):
            got.setdefault(issue["path"], set()).add(issue["kind"])
        self.assertEqual(got, expected, f"sent {document!r}")
        try:
            typed_fastapi_app.Order.parse_obj(json.loads(encode(document)))
            paths = set()
        except pydantic.ValidationError as e:
            paths = pydantic_paths(e.errors())
        self.assertEqual(paths, pydantic_expected, f"sent {document!r}")

    def test_a_table_of_bad_bodies_swoop_and_fastapi_agree(self):
        self.assertGreaterEqual(len(TABLE), 20)
        for what, body, expected in TABLE:
            with self.subTest(what):
                self.assertEqual(self.swoop_paths(body), expected, "swoop")
                self.assertEqual(self.fastapi_post(body), (422, expected), "FastAPI")

    def test_where_swoop_and_fastapi_differ(self):
        for what, body, swoop, fastapi in KNOWN_DIFFERENCES:
            with self.subTest(what):
                status, content_type, answer = self.post(body)
                if status == 422:
                    paths = {i["path"] for i in issues_of(self, status, content_type, answer)}
                else:
                    paths = None
                    if status == 400:
                        self.assertEqual(content_type, "application/json")
                        self.assertEqual(json.loads(answer)["error"]["status"], 400)
                self.assertEqual((status, paths), swoop, answer)
                status, paths = self.fastapi_post(body)
                self.assertEqual((status, paths if fastapi[1] is not None else None), fastapi)

    def test_the_path_notation(self):
        self.assertEqual(swoop_path(("items", 2, "qty")), "items[2].qty")
        self.assertEqual(swoop_path(("counters", "x")), "counters.x")
        self.assertEqual(swoop_path(("a b",)), "['a b']")
        self.assertEqual(swoop_path(("m", "\\'\n", "_$9")), "m['\\\\\\'\\u000a']._$9")
        self.assertEqual(swoop_path(("m", "9a", "")), "m['9a']['']")
        self.assertEqual(swoop_path(("x" * 65,)), "['" + "x" * 64 + "...']")
        self.assertEqual(swoop_path(("x" * 64,)), "x" * 64)
        self.assertEqual(swoop_path(("a" * 63 + "\u00e9",)), "['" + "a" * 63 + "\u00e9']")
        self.assertEqual(swoop_path(("a" * 63 + "\u00e9b",)), "['" + "a" * 63 + "\u00e9...']")


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
