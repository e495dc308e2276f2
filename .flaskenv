FLASK_APP=contest
