# SPDX-License-Identifier: MIT
"""A subset of openapi_server.cpp's API declared with FastAPI 0.92 / pydantic 1.10, for
openapi_test.py: FastAPI's OpenAPI document (app.openapi(), no server) is compared with the
one swoop serves. Only the declarations matter; the handlers are never called."""
from enum import Enum
from typing import Dict, List, Literal, Optional, Union
from uuid import UUID

from fastapi import Body, FastAPI, Query
from pydantic import BaseModel, Extra, Field, conint, conlist, constr, confloat


class Color(str, Enum):
    red = "red"
    green = "green"
    blue = "blue"


class Tag(BaseModel):
    name: constr(min_length=1, max_length=20)


class Item(BaseModel):
    id: int
    slug: str
    price: float
    qty: int
    color: Color
    tags: List[Tag]
    note: Optional[str]
    attributes: Dict[str, str]


class NewItem(BaseModel, extra=Extra.forbid):
    slug: constr(min_length=1, max_length=40, regex="^[a-z0-9-]+$")
    price: confloat(ge=0.0, le=10000.0)
    qty: conint(ge=1, le=99) = 1
    color: Color = Color.red
    tags: conlist(Tag, max_items=5) = []
    note: Optional[str] = None
    attributes: Dict[str, str] = {}


class ItemPatch(BaseModel, extra=Extra.forbid):
    price: Optional[confloat(ge=0.0, le=10000.0)]
    note: Optional[constr(min_length=0, max_length=200)]


class Card(BaseModel):
    type: Literal["card"]
    number: constr(regex="^[0-9]{12,19}$")


class Transfer(BaseModel):
    type: Literal["transfer"]
    iban: constr(min_length=15, max_length=34)


class Payment(BaseModel):
    __root__: Union[Card, Transfer] = Field(..., discriminator="type")


class Receipt(BaseModel):
    method: str
    amount_cents: int


app = FastAPI(title="Shop", version="1.4.0")


@app.get("/items", response_model=List[Item])
def list_items(limit: int = Query(10, ge=1, le=100),
               order: Literal["asc", "desc"] = Query("asc"),
               color: Optional[Color] = Query(None),
               tag: List[str] = Query([])):
    raise NotImplementedError


@app.post("/items", response_model=Item, status_code=201)
def create_item(item: NewItem):
    raise NotImplementedError


@app.get("/items/{id}", response_model=Item)
def read_item(id: int):
    raise NotImplementedError


@app.patch("/items/{id}", response_model=Item)
def patch_item(id: int, patch: ItemPatch):
    raise NotImplementedError


@app.post("/payments", response_model=Receipt)
def pay(payment: Payment = Body(...)):
    raise NotImplementedError


@app.get("/users/{id}")
def user(id: UUID):
    raise NotImplementedError
