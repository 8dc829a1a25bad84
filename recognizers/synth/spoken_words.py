"""The words synthetic speech text is built from: names, cities, command and sentence
templates, and what they are filled with (recognizers/synth/spoken.py draws from them)."""

FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark",
    "Sandra", "Paul", "Ashley", "Steven", "Emily", "Andrew", "Donna", "Kevin", "Michelle",
    "Brian", "Carol", "George", "Amanda", "Edward", "Melissa", "Ronald", "Deborah", "Timothy",
    "Stephanie", "Jason", "Rebecca", "Jeffrey", "Laura", "Ryan", "Helen", "Jacob", "Sharon",
    "Gary", "Cynthia", "Nicholas", "Kathleen", "Eric", "Amy", "Jonathan", "Shirley", "Larry",
    "Angela", "Justin", "Anna", "Scott", "Ruth", "Frank", "Brenda", "Benjamin", "Pamela",
    "Samuel", "Nicole", "Gregory", "Katherine", "Alexander", "Samantha", "Patrick", "Christine",
    "Jack", "Emma", "Dennis", "Catherine", "Peter", "Olivia", "Henry", "Sophie", "Carlos",
    "Maria", "Ahmed", "Fatima", "Wei", "Mei", "Raj", "Priya", "Kenji", "Yuki", "Olga", "Ivan",
    "Lucas", "Chloe", "Noah", "Grace", "Omar", "Leila", "Diego", "Lucia", "Hans", "Ingrid",
    "Pierre", "Claire", "Kwame", "Amara", "Sean", "Siobhan", "Liam", "Niamh", "Ethan", "Zoe",
)
SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Chen", "Wang",
    "Singh", "Khan", "Murphy", "Kelly", "O'Brien", "Schmidt", "Muller", "Rossi", "Dubois",
    "Ivanov", "Tanaka", "Sato", "Okafor", "Mensah", "Cohen", "Fischer", "Novak", "Larsen",
)
CITIES = (
    "London", "Paris", "Berlin", "Madrid", "Rome", "Boston", "Chicago", "Denver", "Seattle",
    "Dallas", "Houston", "Atlanta", "Toronto", "Montreal", "Dublin", "Edinburgh", "Glasgow",
    "Manchester", "Sydney", "Melbourne", "Tokyo", "Delhi", "Mumbai", "Cairo", "Lagos",
    "Nairobi", "Vienna", "Prague", "Lisbon", "Oslo", "Stockholm", "Helsinki", "Warsaw",
    "Athens", "Istanbul", "Mexico City", "Lima", "Bogota", "Santiago", "Kingston",
)
COMMAND_TEMPLATES = (
    "Turn {dir} at the next {place}.", "Go straight ahead for {small} blocks.",
    "Open the {doc}.", "Close the {doc}.", "Save the {doc}.", "Delete the last {unit}.",
    "Undo that.", "Redo.", "New line.", "New paragraph.", "Select all.", "Copy that.",
    "Paste it here.", "Scroll {updown}.", "Go to page {num}.", "Zoom in.", "Zoom out.",
    "Set a timer for {small} minutes.", "Set an alarm for {clock}.", "Wake me up at {clock}.",
    "Call {first} {last}.", "Send a message to {first}.", "Text {first} that I'm running late.",
    "Remind me to buy {thing} tomorrow.", "Add {thing} to the shopping list.",
    "What's the weather like in {city}?", "How far is it to {city}?",
    "Play some {genre} music.", "Stop the music.", "Pause.", "Next track.", "Volume up.",
    "Volume down.", "Turn the lights {onoff}.", "Turn {onoff} the heating.",
    "Lock the front door.", "Start recording.", "Stop recording.", "Cancel.", "Yes, please.",
    "No, thank you.", "Read it back to me.", "Spell that again.", "Move the cursor {dir}.",
    "Capitalize the next word.", "Insert a comma.", "Find the word {word}.",
    "Replace {word} with {word2}.", "Show me the {doc}.", "Print {small} copies.",
    "Book a table for {small} at {clock}.", "Transfer {money} to savings.",
    "Navigate to {city}.", "Schedule a meeting with {first} on {weekday}.",
    "Move the meeting to {weekday} at {clock}.", "Take a note.", "Search for {thing}.",
    "Open my email.", "Reply to {first}.", "Mark this as done.", "Show my calendar for {weekday}.",
)
SENTENCE_TEMPLATES = (
    "The {adj} {noun} is on the {noun2}.", "I need a {adj} {noun} for the {noun2}.",
    "Did you see the {noun} near the {noun2}?", "Please put the {noun} next to the {noun2}.",
    "Where is the {adj} {noun}?", "There is a {noun} in the {noun2}.",
    "We talked about the {noun} for {small} hours.", "She gave me a {adj} {noun}.",
    "He forgot the {noun} again.", "Is the {noun} {adj} enough?",
    "They want to {verb} the {noun} before {weekday}.", "Can you {verb} the {noun}?",
    "I will {verb} it after the {noun}.", "Nobody knew how to {verb} the {adj} {noun}.",
    "My {noun} is more {adj} than your {noun2}.", "Let's {verb} the {noun} together.",
    "The {noun} was {adj} and the {noun2} was {adj2}.", "{first} found a {adj} {noun}.",
    "{first} {last} lives in {city}.", "Why would anyone {verb} a {noun}?",
)
GENRES = ("jazz", "rock", "classical", "country", "folk", "piano", "dance", "quiet")
THINGS = ("milk", "bread", "eggs", "coffee", "batteries", "apples", "rice", "tea", "stamps",
          "flowers", "paper towels", "a birthday card", "new shoes", "the tickets")
DOCS = ("file", "document", "folder", "window", "settings", "report", "letter", "notes")
