# SPDX-License-Identifier: MIT
"""typed_server.cpp's model declared in pydantic 1.10 and served by FastAPI: the reference
typed_test.py holds swoop's 422s against. Change both together.

pydantic 1.x coerces where swoop does not; the types below are made as strict as swoop's:
- StrictStr, conint(strict=True) and Color refuse numbers for strings, "3" or 3.0 or true for
  integers;
- Price is swoop's double: a JSON integer or decimal number (not a string, not a boolean);
- StrictModel refuses anything but an object for a model (pydantic 1.x would take [] or a
  list of pairs for one, through dict(value));
- Counters refuses anything but an object (pydantic 1.x's Dict takes [] through dict(value)).
"""
from enum import Enum
from typing import Dict, Optional

from fastapi import FastAPI
from pydantic import BaseModel, StrictStr, conint, conlist, constr, validator
from pydantic.errors import DictError

# The pattern is swoop's, character for character. Python's `$` also matches before a final
# "\n" where ECMAScript's (swoop's) does not: typed_test.py shows that difference.
Slug = constr(strict=True, min_length=1, max_length=40, regex=r"^[a-z0-9-]+$")
Int32 = conint(strict=True, ge=-2**31, le=2**31 - 1)


class Price:
    """A double from 0 to 10000: swoop reads any JSON number into a double."""

    @classmethod
    def __get_validators__(cls):
        yield cls.validate

    @classmethod
    def validate(cls, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("must be a number")
        if not 0 <= value <= 10000:
            raise ValueError("must be from 0 to 10000")
        return float(value)


class StrictModel(BaseModel):
    @classmethod
    def validate(cls, value):
        if not isinstance(value, (dict, cls)):
            raise DictError()
        return super().validate(value)


class Color(str, Enum):
    red = "red"
    green = "green"
    blue = "blue"


class Size(StrictModel):
    w: conint(strict=True, ge=1, le=1000)
    h: conint(strict=True, ge=1, le=1000)

    class Config:
        extra = "forbid"  # as swoop's reject_unknown_fields


class Item(StrictModel):
    name: Slug
    price: Price
    qty: conint(strict=True, ge=1, le=99)  # a std::uint8_t in swoop
    color: Color
    tags: conlist(StrictStr, max_items=5) = []
    size: Optional[Size] = None


class Order(StrictModel):
    customer: Slug
    items: conlist(Item, max_items=10)
    note: Optional[StrictStr] = None
    counters: Dict[StrictStr, Int32] = {}

    @validator("counters", pre=True)
    def counters_is_an_object(cls, value):
        if not isinstance(value, dict):
            raise DictError()
        return value


app = FastAPI()


@app.post("/items")
def post_items(order: Order) -> Order:
    return order
