"""The text area marks the words the recognizer doubts, and only as overlays."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from app.transcript_edit import DOUBT_BELOW, TranscriptEdit


def test_doubtful_words_are_marked_and_the_text_stays_plain(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    assert ed.append_committed("  the quick fox ", [("the", 0.99), ("quick", DOUBT_BELOW - 0.2), ("fox", 0.8)]) == "the quick fox"
    ed.append_committed("jumped", [("jumped", 0.1)])
    assert ed.toPlainText() == "the quick fox jumped"
    assert ed.doubtful_words() == ["quick", "jumped"]
    assert [s.cursor.selectedText() for s in ed.extraSelections()] == ["quick", "jumped"]
    # typing after a marked word neither changes the text's format nor extends the mark
    c = ed.textCursor()
    c.movePosition(QTextCursor.MoveOperation.End)
    c.insertText(" over")
    assert ed.doubtful_words() == ["quick", "jumped"]
    assert not c.charFormat().fontUnderline()


def test_punctuation_written_on_its_own_joins_the_word_before_it(qtbot):
    """A period or comma committed by itself (written after its word) takes no space before
    it, as Send to window types it; a word after it does."""
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    for piece in ("cat", ".", "the", "dog", ",", "then", "!"):
        ed.append_committed(piece, [(piece, 0.1)])
    assert ed.toPlainText() == "cat. the dog, then!"
    assert ed.doubtful_words() == ["cat", "the", "dog", "then"]  # the marks sit on the words
    # a line break said at the end or the start of an utterance ("new line") is kept
    for piece in ("Thanks.\n", "Bye", "\n\nSee you", "\n", "Later"):  # "new line" said on its own too
        ed.append_committed(piece)
    assert ed.toPlainText().endswith("then! Thanks.\nBye\n\nSee you\nLater")


def test_a_mark_after_a_typed_space_holds_on_to_the_word(qtbot):
    """"Hello " typed, then "comma" said: "Hello, how", not "Hello , how"; the mark stays one
    undo step, and a space typed before a word or after a line break is kept."""
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("hello", [("hello", 0.1)])
    ed.insertPlainText("  ")
    ed.append_committed(", how", [("how", 0.2)])
    assert ed.toPlainText() == "hello, how"
    assert ed.doubtful_words() == ["hello", "how"]
    ed.undo()
    assert ed.toPlainText() == "hello  "
    ed.insertPlainText("\n ")
    ed.append_committed("now")
    assert ed.toPlainText() == "hello  \n now"


def test_a_commit_goes_over_the_selection(qtbot):
    """A misread word selected and written or said again is replaced, with the spaces around it
    kept and its own marks; without a selection commits go to the end."""
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("lives 20Q meters under", [("lives", 0.9), ("20Q", 0.9), ("meters", 0.9), ("under", 0.9)])
    c = ed.textCursor()
    c.setPosition(6)
    c.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    ed.setTextCursor(c)
    assert ed.text_before_commit() == "lives "
    assert ed.append_committed("200", [("200", 0.1)]) == "200"
    assert ed.toPlainText() == "lives 200 meters under" and ed.doubtful_words() == ["200"]
    c.setPosition(16)  # " under" selected with its space: the word before keeps its place
    c.setPosition(22, QTextCursor.MoveMode.KeepAnchor)
    ed.setTextCursor(c)
    ed.append_committed("away")
    assert ed.toPlainText() == "lives 200 meters away"
    ed.append_committed("now")  # no selection now: at the end
    assert ed.toPlainText() == "lives 200 meters away now"
    ed.undo()
    ed.undo()
    assert ed.toPlainText() == "lives 200 meters under"


def test_editing_a_marked_word_removes_its_mark(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("helo world", [("helo", 0.3), ("world", 0.2)])
    c = ed.textCursor()
    c.setPosition(3)
    c.insertText("l")  # helo -> hello
    assert ed.toPlainText() == "hello world"
    assert ed.doubtful_words() == ["world"]
    ed.clear()
    assert ed.doubtful_words() == [] and ed.extraSelections() == []


def test_words_that_do_not_match_the_text_mark_nothing(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("abc", [("xyz", 0.1)])
    assert ed.doubtful_words() == []
    ed.append_committed("def")  # no confidences at all (a file transcription)
    assert ed.toPlainText() == "abc def" and ed.doubtful_words() == []


def test_a_word_typed_onto_drops_its_mark(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("recieve it", [("recieve", 0.2), ("it", 0.3)])
    c = ed.textCursor()
    c.setPosition(len("recieve"))
    c.insertText("d")  # recieve -> recieved: the mark no longer fits the word
    assert ed.toPlainText() == "recieved it"
    assert ed.doubtful_words() == ["it"]


def test_undo_after_clearing_brings_the_marks_back_with_the_words(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("tbe quick fox", [("tbe", 0.2), ("quick", 0.99), ("fox", 0.3)])
    c = ed.textCursor()
    c.select(QTextCursor.SelectionType.Document)
    c.removeSelectedText()  # as the window's Clear text does, so that undo can bring it back
    assert ed.doubtful_words() == [] and ed.extraSelections() == []
    ed.undo()
    assert ed.toPlainText() == "tbe quick fox"
    assert ed.doubtful_words() == ["tbe", "fox"]
    assert [s.cursor.selectedText() for s in ed.extraSelections()] == ["tbe", "fox"]
    # a word edited and the edit undone gets its mark back too
    c = ed.textCursor()
    c.setPosition(1)
    c.setPosition(2, QTextCursor.MoveMode.KeepAnchor)
    c.insertText("h")  # tbe -> the
    assert ed.doubtful_words() == ["fox"]
    ed.undo()
    assert ed.toPlainText() == "tbe quick fox" and ed.doubtful_words() == ["tbe", "fox"]


def test_new_text_in_a_cleared_place_keeps_its_own_confidences(qtbot):
    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("tbe", [("tbe", 0.2)])
    c = ed.textCursor()
    c.select(QTextCursor.SelectionType.Document)
    c.removeSelectedText()
    ed.append_committed("tbe", [("tbe", 0.99)])  # the same word again, now read with confidence
    assert ed.toPlainText() == "tbe" and ed.doubtful_words() == []


def test_dictation_is_cased_as_people_write():
    """The speech model reads lower case: "i" and its contractions become "I", and a piece
    that starts a sentence starts with a capital; the words stay the same in number."""
    from app.formatting import dictation_case

    assert dictation_case("i think i'm late", "") == "I think I'm late"
    assert dictation_case("and i'll go", "It rains") == "and I'll go"  # mid-sentence: no capital
    assert dictation_case("then we left", "We ate.") == "Then we left"
    assert dictation_case("so", "Really?\n") == "So"
    assert dictation_case("is it", "Who") == "is it"
    assert dictation_case("it is", "Done!  ") == "It is"
    assert dictation_case("", "") == ""
    assert dictation_case("ice in an igloo", "") == "Ice in an igloo"  # only the pronoun, not words that start with i
    # days and months always take a capital (a tester's "thursday"); "may" and "march" are words too
    assert dictation_case("see you on thursday in january", "So.") == "See you on Thursday in January"
    assert dictation_case("sunday's game in may", "We") == "Sunday's game in may"
    assert dictation_case("on mondays", "We") == "on Mondays"
    assert dictation_case("we may march in august", "") == "We may march in august"


def test_dictation_writes_names_with_their_capitals_and_everyday_words_as_read():
    """Dictated names stayed in lower case ("dear thomas", "call george martinez": held-out flite
    sentences read right but written "Dear thomas", "Call george martinez"). Words
    that the word list knows only as names take their spelling, possessives too; words that
    are names and everyday words ("will", "bill", "jack", "turkey") stay as read."""
    from app.formatting import dictation_case, proper_nouns

    assert dictation_case("we flew from london to las vegas with nasa", "") == "We flew from London to Las Vegas with NASA"
    assert dictation_case("call george martinez about pierre's car", "So.") == "Call George Martinez about Pierre's car"
    assert dictation_case("will bill jack for the turkey", "I") == "will bill jack for the turkey"
    names = proper_nouns()
    assert len(names) > 5000 and names["mcdonald"] == "McDonald"
    assert not {"co", "pm", "god", "french", "may"} & set(names)  # symbols, and words with a lower-case use


def test_spoken_punctuation_becomes_marks_and_a_named_mark_stays_words():
    """Desktop dictation takes "comma", "period", "new line"... as marks; a person dictating
    a letter got "dear john comma new paragraph" written out."""
    from app.formatting import dictate, dictation_case

    assert dictation_case("hello comma how are you question mark", "", True) == "Hello, how are you?"
    assert dictation_case("send it period new line thanks exclamation point", "", True) == "Send it.\nThanks!"
    assert dictation_case("dear john comma new paragraph we met full stop", "", True) == "Dear john,\n\nWe met."
    assert dictation_case("bring colon apples semicolon pears", "", True) == "Bring: apples; pears"
    assert dictation_case("period", "It rained", True) == "."  # said alone after a pause: it ends the sentence before
    assert dictation_case("then we left", "It rained.", True) == "Then we left"
    # after "a", "the", "this"... the words name the thing
    assert dictation_case("start a new line after the full stop in this period", "", True) == "Start a new line after the full stop in this period"
    assert dictation_case("hello comma you", "", False) == "Hello comma you"  # the setting off: words as said
    # the person's own spellings from their vocabulary ("Dear sam," looked wrong to a tester)
    from app.formatting import own_spellings

    mine = own_spellings(["Sam,", "McArthur", "kubectl"])
    assert mine == {"sam": "Sam", "mcarthur": "McArthur"}
    assert dictation_case("dear sam comma mcarthur and kubectl", "", True, mine) == "Dear Sam, McArthur and kubectl"
    # a full stop or comma right after a sentence's end is not doubled (a tester's "Really?.")
    assert dictation_case("wait exclamation point really question mark period", "", True) == "Wait! Really?"
    assert dictation_case("period", "Is it?", True) == ""
    # the words shown keep their confidences; the marks have none
    text, words = dictate([("i", 0.9), ("came", 0.4), ("period", 0.8), ("you", 0.7), ("left", 0.6)], "", True)
    assert text == "I came. You left" and words == [("I", 0.9), ("came", 0.4), ("You", 0.7), ("left", 0.6)]


def test_a_spoken_sentence_goes_in_cased_with_its_doubt_marks(make_window, qtbot):
    win = make_window()
    win.speech.last_final_words = [("i", 0.9), ("think", 0.2), ("so", 0.9)]
    win.speech.finalTranscript.emit(1, "i think so", None)
    assert win.text.toPlainText() == "I think so" and win.text.doubtful_words() == ["think"]
    win.speech.last_final_words = [("maybe", 0.3)]
    win.speech.finalTranscript.emit(2, "maybe", None)
    assert win.text.toPlainText() == "I think so maybe" and win.text.doubtful_words() == ["think", "maybe"]


def test_the_text_and_the_candidates_are_shown_in_a_font_that_tells_i_from_l(make_window):
    """A tester could not tell a recognized "I" from an "l" in the desktop's sans font: the
    text and the candidate buttons use the shipped Atkinson Hyperlegible, loaded from
    resources/fonts (not from the system, which does not have it)."""
    from PySide6.QtGui import QFontInfo

    from app.fonts import READING_FAMILY

    win = make_window(wait_models=False)
    assert QFontInfo(win.text.font()).family() == READING_FAMILY
    bar = win.handwriting.candidates
    bar.set_candidates(["Illinois", "lllinois"])
    for b in bar.buttons[:2]:
        b.ensurePolished()
        assert QFontInfo(b.font()).family() == READING_FAMILY


def test_each_commit_is_one_undo_step_apart_from_the_persons_own_edit(qtbot):
    """A tester corrected "9jx" to "qjx", committed "cat" and "dog", and one Ctrl+Z took both
    commits back and undid the correction too: Qt merges adjacent insertions into one undo step."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    ed = TranscriptEdit()
    qtbot.addWidget(ed)
    ed.append_committed("hello")
    ed.append_committed("9jx")
    c = ed.textCursor()
    c.setPosition(6)
    c.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    ed.setTextCursor(c)
    QTest.keyClicks(ed, "qjx")
    ed.append_committed("cat")
    ed.append_committed("dog")
    assert ed.toPlainText() == "hello qjx cat dog"
    steps = []
    for _ in range(4):
        QTest.keyClick(ed, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        steps.append(ed.toPlainText())
    assert steps == ["hello qjx cat", "hello qjx", "hello 9jx", "hello"]
