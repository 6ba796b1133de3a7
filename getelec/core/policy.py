"""Policy rules as data.

Every number the platform applies lives in YAML files under ``getelec/policy/``: one file per
topic, each parameter with values keyed by effective date, each value with a citation (clause id
and quoted sentence). Regions override values with files under ``policy/regions/<admin code>/``
that cite their own document. The loader is strict: duplicate keys, bad dates, missing citations
and unknown parameter names stop loading with a message naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from getelec.core.parameters import PARAMETERS

# PLAN_TEXT (re-exported): the plan's authoritative Chinese text, verbatim (the Ningxia "获得电力"
# implementation plan); every base citation of a plan clause quotes that clause.
from getelec.core.plan import PLAN_TEXT, plan_clauses, quote_in  # noqa: F401

DEFAULT_POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"
NATIONAL = ""  # the region key of the base files (national practice + the Ningxia plan)
PROVINCE_CODE = "640000"

# Clause ids of the plan (POLICY.md), plus three pseudo-clauses: PRACTICE (national practice or a
# standard, named in `source`; `paraphrase: true` when the quote is not the source's own words),
# LOCAL (a region's own document, named in `source`) and DEFAULT (a value nobody prescribes: the
# platform's default, with its `reason`; an administrator may change it).
_CLAUSE_RE = re.compile(r"^(T[1-9]|S[1-3]|A1|L([1-9]|[1-4][0-9]|5[0-3])|PRACTICE|LOCAL|DEFAULT)$")
PSEUDO_CLAUSES = ("PRACTICE", "LOCAL", "DEFAULT")
_REGION_RE = re.compile(r"^[0-9]{6}$")


class PolicyError(ValueError):
    """Invalid policy data; the message names the file and the key."""

    def __init__(self, file: Path | str, key: str, message: str):
        self.file, self.key = str(file), key
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


class PolicyValueMissing(LookupError):
    """No value of a parameter is in force on the date asked."""


@dataclass(frozen=True)
class Citation:
    clause: str
    quote: str
    source: str = ""
    unconfirmed: bool = False
    reason: str = ""  # why a platform default (clause DEFAULT) has this value
    paraphrase: bool = False  # the quote restates its source rather than quoting it

    @property
    def is_plan(self) -> bool:
        return self.clause not in PSEUDO_CLAUSES

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"clause": self.clause, "quote": self.quote}
        if self.source:
            data["source"] = self.source
        if self.unconfirmed:
            data["unconfirmed"] = True
        if self.reason:
            data["reason"] = self.reason
        if self.paraphrase:
            data["paraphrase"] = True
        return data


@dataclass(frozen=True)
class ParameterValue:
    """One value of a parameter, as it applies from `effective` on."""

    name: str
    value: Any
    effective: dt.date
    citation: Citation
    region: str  # "" for the base files, else the admin code of the overriding region
    file: str

    def as_dict(self) -> dict[str, Any]:
        """What a decision records: parameter, value and the clause that produced it."""
        return {
            "parameter": self.name,
            "value": PARAMETERS[self.name].adapter.dump_python(self.value, mode="json"),
            "effective": self.effective.isoformat(),
            "region": self.region or None,
            **self.citation.as_dict(),
        }


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate mapping keys."""


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark: yaml.Mark):
        self.duplicate = str(key)
        super().__init__(None, None, f"duplicate key {key!r}", mark)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise _DuplicateKey(key, key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _construct_timestamp(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    """A date-like scalar that is not a real date (2025-13-01) stays text for _parse_date to
    reject with the file and key; PyYAML itself would raise a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse_date(raw: Any, file: Path, key: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise PolicyError(
            file, key, f"effective date must be a date, not a time: {raw.isoformat(sep=' ')}"
        )
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise PolicyError(file, key, f"bad date {raw!r} (expected YYYY-MM-DD)") from None


def _parse_citation(raw: Any, file: Path, key: str, regional: bool) -> Citation:
    if raw is None:
        raise PolicyError(file, key, "missing citation")
    if not isinstance(raw, dict):
        raise PolicyError(file, key, "citation must be a mapping {clause, quote, source}")
    unknown = set(raw) - {"clause", "quote", "source", "unconfirmed", "reason", "paraphrase"}
    if unknown:
        raise PolicyError(file, key, f"unknown citation field(s): {', '.join(sorted(unknown))}")
    clause, quote = raw.get("clause"), raw.get("quote")
    source, unconfirmed = raw.get("source") or "", raw.get("unconfirmed", False)
    reason, paraphrase = raw.get("reason") or "", raw.get("paraphrase", False)
    if not isinstance(clause, str) or not _CLAUSE_RE.match(clause):
        raise PolicyError(
            file,
            f"{key}.clause",
            f"missing or unknown clause id {clause!r} (T1–T9, S1–S3, A1, "
            "L1–L53, PRACTICE, LOCAL or DEFAULT)",
        )
    for name, text in (("quote", quote), ("source", source), ("reason", reason)):
        if text is not None and not isinstance(text, str):
            raise PolicyError(file, f"{key}.{name}", "must be text")
    for name, flag in (("unconfirmed", unconfirmed), ("paraphrase", paraphrase)):
        if not isinstance(flag, bool):
            raise PolicyError(file, f"{key}.{name}", "must be true or false")
    quote = (quote or "").strip()
    if clause == "DEFAULT":
        if not reason.strip():
            raise PolicyError(file, f"{key}.reason", "a DEFAULT citation must give its reason")
        if quote or paraphrase:
            raise PolicyError(
                file, f"{key}.quote", "a DEFAULT citation quotes nothing (it gives its reason)"
            )
    else:
        if reason:
            raise PolicyError(
                file, f"{key}.reason", "only a DEFAULT citation has a reason (cite a source)"
            )
        if not quote:
            raise PolicyError(file, f"{key}.quote", "missing quote")
    if clause in ("PRACTICE", "LOCAL") and not source.strip():
        raise PolicyError(file, f"{key}.source", f"a {clause} citation must name its source")
    if regional and not source.strip():
        raise PolicyError(file, f"{key}.source", "a regional value must cite its own document")
    if clause not in PSEUDO_CLAUSES:
        if paraphrase:
            raise PolicyError(
                file, f"{key}.paraphrase", f"a citation of {clause} quotes the plan word for word"
            )
        # A regional value quotes its own document (its source); a base value quotes the plan.
        if not regional and not quote_in(quote, plan_clauses()[clause]):
            raise PolicyError(
                file,
                f"{key}.quote",
                f"not found in {clause} of the plan (verbatim except whitespace; '…' marks an "
                "omission); a value the plan does not give cites PRACTICE or DEFAULT",
            )
    return Citation(clause, quote, source.strip(), unconfirmed, reason.strip(), paraphrase)


@dataclass
class Policy:
    """All parameter values, base and regional, ready for look-up by date and region."""

    # (region, name) -> values sorted by effective date; value None ends the parameter.
    _values: dict[tuple[str, str], list[ParameterValue]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def regions(self) -> set[str]:
        return {region for region, _ in self._values if region}

    def names(self) -> set[str]:
        return {name for _, name in self._values}

    def _in_force(self, region: str, name: str, on: dt.date) -> ParameterValue | None:
        current = None
        for value in self._values.get((region, name), ()):
            if value.effective <= on:
                current = value
        return current

    def get(self, name: str, on: dt.date, region: str | None = None) -> ParameterValue:
        """The value in force on `on` for the most specific region that sets one.

        County (640104) → city (640100) → autonomous region (640000) → base files.
        """
        if name not in PARAMETERS:
            raise KeyError(f"unknown policy parameter {name!r}")
        for candidate in region_chain(region):
            found = self._in_force(candidate, name, on)
            # `value: null` ends a region's override: fall through to the next level.
            if found is not None and found.value is not None:
                return found
        raise PolicyValueMissing(f"policy parameter {name} has no value in force on {on}")

    def value(self, name: str, on: dt.date, region: str | None = None) -> Any:
        return self.get(name, on, region).value

    def history(self, name: str) -> list[ParameterValue]:
        return sorted(
            (v for (_, n), values in self._values.items() if n == name for v in values),
            key=lambda v: (v.region, v.effective),
        )


def region_chain(region: str | None) -> list[str]:
    """Most specific first: county, city, autonomous region, then the base files."""
    chain: list[str] = []
    if region:
        if not _REGION_RE.match(region):
            raise ValueError(f"region must be a 6-digit administrative code, got {region!r}")
        for code in (region, region[:4] + "00", region[:2] + "0000"):
            if code not in chain:
                chain.append(code)
    chain.append(NATIONAL)
    return chain


def _load_file(path: Path, region: str, policy: Policy) -> None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except _DuplicateKey as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise PolicyError(path, exc.duplicate, f"duplicate key (line {line})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(path, "", f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(path, "", "top level must be a mapping")
    allowed = {"description", "parameters"} | ({"region", "document"} if region else set())
    unknown = set(data) - allowed
    if unknown:
        raise PolicyError(path, ", ".join(sorted(map(str, unknown))), "unknown top-level key")
    if region:
        if str(data.get("region", "")) != region:
            raise PolicyError(path, "region", f"must be {region} (the folder it lives in)")
        if not str(data.get("document", "")).strip():
            raise PolicyError(path, "document", "a regional file must name its document")
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise PolicyError(path, "parameters", "missing or empty")
    for name, spec in parameters.items():
        if name not in PARAMETERS:
            raise PolicyError(path, str(name), "unknown parameter name")
        if (region, name) in policy._values:
            raise PolicyError(path, name, "defined in more than one file")
        if not isinstance(spec, dict) or set(spec) - {"description", "values"}:
            raise PolicyError(path, name, "expected {description, values}")
        values = spec.get("values")
        if not isinstance(values, dict) or not values:
            raise PolicyError(path, f"{name}.values", "missing or empty")
        adapter: TypeAdapter[Any] = PARAMETERS[name].adapter
        parsed: list[ParameterValue] = []
        for raw_date, entry in values.items():
            key = f"{name}.values.{raw_date}"
            effective = _parse_date(raw_date, path, key)
            if any(v.effective == effective for v in parsed):
                # e.g. 2025-01-01 and "2025-01-01": different YAML keys, the same date
                raise PolicyError(path, key, "duplicate effective date")
            if not isinstance(entry, dict) or set(entry) - {"value", "citation"}:
                raise PolicyError(path, key, "expected {value, citation}")
            if "value" not in entry:
                raise PolicyError(path, f"{key}.value", "missing")
            raw_value = entry["value"]
            value = None
            if raw_value is not None:
                try:
                    value = adapter.validate_python(raw_value, strict=True)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    loc = ".".join(str(p) for p in first["loc"])
                    raise PolicyError(
                        path, f"{key}.value{'.' + loc if loc else ''}", first["msg"]
                    ) from None
            citation = _parse_citation(entry.get("citation"), path, f"{key}.citation", bool(region))
            parsed.append(ParameterValue(name, value, effective, citation, region, str(path)))
        parsed.sort(key=lambda v: v.effective)
        policy._values[(region, name)] = parsed
    policy.files.append(str(path))


def load_policy(directory: Path | str = DEFAULT_POLICY_DIR) -> Policy:
    """Load and validate every policy file; raise PolicyError on the first problem."""
    directory = Path(directory)
    policy = Policy()
    for path in sorted(directory.glob("*.yaml")):
        _load_file(path, NATIONAL, policy)
    regions_dir = directory / "regions"
    if regions_dir.is_dir():
        for region_dir in sorted(p for p in regions_dir.iterdir() if p.is_dir()):
            if not _REGION_RE.match(region_dir.name):
                raise PolicyError(region_dir, "", "region folder must be a 6-digit admin code")
            for path in sorted(region_dir.glob("*.yaml")):
                _load_file(path, region_dir.name, policy)
    missing = sorted(n for n in PARAMETERS if PARAMETERS[n].required and n not in policy.names())
    if missing:
        raise PolicyError(directory, ", ".join(missing), "required parameter(s) not defined")
    return policy


@cache
def default_policy() -> Policy:
    """The shipped policy, loaded once per process."""
    return load_policy(DEFAULT_POLICY_DIR)
