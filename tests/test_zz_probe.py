import re
def test_probe(client):
    html = client.get("/registreren").get_data(as_text=True)
    print(re.findall(r'<input[^>]*maxlength[^>]*>', html)[:5])
