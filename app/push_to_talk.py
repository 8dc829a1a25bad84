"""Push-to-talk: holding the key anywhere in the window records; releasing it ends the utterance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt

if TYPE_CHECKING:
    from app.speech_panel import SpeechPanel

PTT_KEY = Qt.Key.Key_F8


class PushToTalkFilter(QObject):
    """Holding F8 anywhere in the window is push-to-talk."""

    def __init__(self, parent: QObject, speech: "SpeechPanel") -> None:
        super().__init__(parent)
        self.speech = speech
        self.held = False

    def eventFilter(self, obj, ev) -> bool:
        t = ev.type()
        if t in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and ev.key() == PTT_KEY:
            if ev.isAutoRepeat():
                return True
            if t == QEvent.Type.KeyPress and not self.held:
                self.held = True
                self.speech.push_to_talk_pressed()
            elif t == QEvent.Type.KeyRelease and self.held:
                self.held = False
                self.speech.push_to_talk_released()
            return True
        return False
