def connect(event, context):
    return {"statusCode": 200}
