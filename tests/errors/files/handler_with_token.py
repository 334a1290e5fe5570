def handler(event, context):
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKl"
    return token
