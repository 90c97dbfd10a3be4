"""Reading one node's fields out of YAML, recording a ``file:line`` problem for each bad value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contact_center.domain.ivr.model import ANY_LANGUAGE, Prompt, PromptVariant
from contact_center.domain.ivr.template import NAME, Template, TemplateError, parse_template
from contact_center.flows.yaml_lines import LineDict

Severity = Literal["error", "warning"]
_PLACEHOLDER = Prompt({ANY_LANGUAGE: PromptVariant(text=parse_template("…"))})


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


@dataclass
class FlowContext:
    """What every node of a flow shares while it is read: the file, its languages and defaults."""

    file: str
    languages: tuple[str, ...]
    defaults: Mapping[str, Any]
    problems: list[Problem] = field(default_factory=list)
    folder: Path = Path(".")  # audio files are found relative to the flow's own directory
    region: str = "US"  # phone numbers written without a country code are read in this region

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))


class NodeReader:
    def __init__(self, context: FlowContext, node_id: str, data: LineDict, kind: str) -> None:
        self.context, self.id, self.data, self.kind = context, node_id, data, kind

    def line(self, key: str | None = None) -> int:
        return self.data.line_of(key) if key is not None else self.data.line

    def error(self, key: str | None, message: str) -> None:
        self.context.error(self.line(key), f"{self.kind} node {self.id!r}: {message}")

    def raw(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        return self.context.defaults.get(key)

    def target(self, key: str, *, required: bool = True, default: str | None = None) -> str:
        value = self.raw(key)
        if value is None:
            if default is not None:
                return default
            if required:
                self.error(None, f"missing {key!r} (the node to go to next)")
            return ""
        if not isinstance(value, str) or not value:
            self.error(key, f"{key!r} must be a node id, got {value!r}")
            return ""
        return value

    def number(self, key: str, default: float, low: float, high: float, *, whole: bool = True) -> Any:
        value = self.raw(key)
        if value is None:
            return int(default) if whole else float(default)
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            noun = "a whole number" if whole else "a number"
            self.error(key, f"{key!r} must be {noun} from {low:g} to {high:g}, got {value!r}")
            return int(default) if whole else float(default)
        return value if whole else float(value)

    def name(self, key: str, *, required: bool, default: str | None = None) -> str:
        value = self.raw(key)
        if value is None:
            if required:
                self.error(None, f"missing {key!r} (a variable name)")
            return default or ""
        if not isinstance(value, str) or not NAME.match(value):
            self.error(key, f"{key!r} must be a variable name like order_number, got {value!r}")
            return default or ""
        return value

    def text(self, key: str, *, required: bool = False) -> Template | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.error(None, f"missing {key!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"{key!r} must be text, got {value!r}")
            return None
        return self.template(key, str(value))

    def template(self, key: str, source: str) -> Template | None:
        try:
            return parse_template(source)
        except TemplateError as exc:
            self.error(key, str(exc))
            return None

    def prompt(self, key: str, *, required: bool, what: str = "prompt") -> Prompt | None:
        value = self.raw(key)
        line = self.line(key)
        if value is None or value == "" or value is True:
            if required:
                self.error(key if key in self.data else None, f"missing {what} ({key!r} needs text or audio)")
            return None
        if isinstance(value, str):
            variant = self._variant(key, value)
            return Prompt({ANY_LANGUAGE: variant}) if variant is not None else None
        if not isinstance(value, dict):
            self.error(key, f"{key!r} must be text, {{audio: FILE}} or a mapping of language to text")
            return None
        if set(value) <= {"audio", "text"}:
            variant = self._variant(key, value)
            return Prompt({ANY_LANGUAGE: variant}) if variant is not None else None
        variants: dict[str, PromptVariant] = {}
        for language, item in value.items():
            if language not in self.context.languages:
                self.context.error(
                    value.line_of(language) if isinstance(value, LineDict) else line,
                    f"{self.kind} node {self.id!r}: language {language!r} is not one of the flow's languages "
                    f"({', '.join(self.context.languages)})",
                )
                continue
            variant = self._variant(key, item)
            if variant is not None:
                variants[str(language)] = variant
        for language in self.context.languages:
            if language not in value:
                self.error(
                    key,
                    f"{what} {key!r} has no {language!r} text (the flow speaks {', '.join(self.context.languages)})",
                )
        return Prompt(variants) if variants else None

    def required_prompt(self, key: str, what: str = "prompt") -> Prompt:
        """A prompt that must be there; a placeholder stands in after an error (the flow is refused anyway)."""
        return self.prompt(key, required=True, what=what) or _PLACEHOLDER

    def _variant(self, key: str, value: Any) -> PromptVariant | None:
        if isinstance(value, str) and value.strip():
            text = self.template(key, value)
            return PromptVariant(text=text) if text is not None else None
        if isinstance(value, dict) and value and set(value) <= {"audio", "text"}:
            audio, text = value.get("audio"), value.get("text")
            if audio is not None and not (isinstance(audio, str) and audio):
                self.error(key, f"audio must be a file name, got {audio!r}")
                return None
            parsed = self.template(key, str(text)) if text is not None else None
            if audio is None and parsed is None:
                self.error(key, "a prompt needs text or audio")
                return None
            return PromptVariant(text=parsed, audio=self._audio_file(key, audio) if audio else None)
        self.error(key, f"prompt {key!r} must be non-empty text or {{audio: FILE, text: ...}}, got {value!r}")
        return None

    def _audio_file(self, key: str, name: str) -> str:
        """The audio file's path as the server will open it (relative names are beside the flow)."""
        path = Path(name) if Path(name).is_absolute() else self.context.folder / name
        if not path.is_file():
            self.context.error(
                self.line(key), f"audio file {name!r} not found (looked for {path}; {self.kind} node {self.id!r})"
            )
        return str(path)
