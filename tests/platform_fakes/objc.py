"""A stand-in for the Objective-C runtime as `smart_interview.audio.macos.ObjCRuntime`
reaches it (`cls`, `send`, `load_framework`), with the behaviour Apple documents for the few
messages the app sends:

- a message to nil returns nil (0);
- `-[NSView window]` is nil until the view is in a window;
- `-[NSWindow setSharingType:]` / `-[NSWindow sharingType]` (NSWindowSharingType, NSUInteger);
- `-[NSWindow setCollectionBehavior:]` / `-[NSWindow collectionBehavior]`
  (NSWindowCollectionBehavior, NSUInteger; 0 by default; CanJoinAllSpaces and
  MoveToActiveSpace together raise NSInternalInconsistencyException);
- `+[NSString stringWithUTF8String:]`;
- `+[AVCaptureDevice authorizationStatusForMediaType:]` answers an AVAuthorizationStatus
  (0 not determined, 1 restricted, 2 denied, 3 authorized) for AVMediaTypeAudio (@"soun")
  and AVMediaTypeVideo (@"vide"), and raises NSInvalidArgumentException for anything else.
"""

from __future__ import annotations

import itertools
from typing import Any


class ObjCException(Exception):
    pass


class ObjC:
    def __init__(self, *, authorization: int = 3) -> None:
        self.authorization = authorization
        self.sent: list[tuple[Any, str, tuple[Any, ...]]] = []
        self.frameworks: list[str] = []
        self._ids = itertools.count(0x7000)
        self._classes = {"NSString": next(self._ids), "AVCaptureDevice": next(self._ids)}
        self._strings: dict[int, str] = {}
        self._views: dict[int, list[int]] = {}  # view → [window, nil answers left]
        self.sharing: dict[int, int] = {}
        self.behaviour: dict[int, int] = {}

    def add_view(self, pointer: int, *, windowless_for: int = 0) -> int:
        """An NSView that gets its NSWindow after `windowless_for` `window` messages."""
        window = next(self._ids)
        self._views[pointer] = [window, windowless_for]
        self.sharing[window] = 1  # NSWindowSharingReadOnly, AppKit's default
        return window

    # --- the runtime ---
    def load_framework(self, path: str) -> None:
        self.frameworks.append(path)

    def cls(self, name: str) -> int | None:
        return self._classes.get(name)

    def send(self, receiver: Any, selector: str, *args: Any, restype: Any = None) -> Any:
        values = tuple(getattr(a, "value", a) for a in args)
        self.sent.append((receiver, selector, values))
        if not receiver:
            return None  # messaging nil
        if receiver == self._classes["NSString"] and selector == "stringWithUTF8String:":
            string = next(self._ids)
            self._strings[string] = values[0].decode()
            return string
        if receiver == self._classes["AVCaptureDevice"]:
            if selector != "authorizationStatusForMediaType:":
                raise ObjCException(f"unrecognized selector +{selector}")
            if self._strings.get(values[0]) not in ("soun", "vide"):
                raise ObjCException("NSInvalidArgumentException: unsupported media type")
            return self.authorization
        if selector == "window" and receiver not in self.sharing:
            if receiver not in self._views:
                return None  # an NSView not (yet) in a window
            view = self._views[receiver]
            if view[1] > 0:
                view[1] -= 1
                return None
            return view[0]
        if receiver in self.sharing:
            if selector == "setSharingType:":
                self.sharing[receiver] = int(values[0])
                return None
            if selector == "sharingType":
                return self.sharing[receiver]
            if selector == "collectionBehavior":
                return self.behaviour.get(receiver, 0)
            if selector == "setCollectionBehavior:":
                if int(values[0]) & 0b11 == 0b11:
                    raise ObjCException("NSInternalInconsistencyException: CanJoinAllSpaces "
                                        "and MoveToActiveSpace are exclusive")
                self.behaviour[receiver] = int(values[0])
                return None
        raise ObjCException(f"unrecognized selector -{selector}")
