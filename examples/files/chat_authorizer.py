"""Chat authorizer: admit a connection whose ?token= is the chat's shared token.

Browsers cannot set headers on a WebSocket, so the token comes in the query string:
wss://ws.example.com?token=... The token is read once per cold start from SSM Parameter
Store (a SecureString the deployer creates: aws ssm put-parameter --type SecureString).
"""

import hmac
import os

import boto3

_parameter = boto3.client("ssm").get_parameter(
    Name=os.environ["CONNECT_PARAMETER"], WithDecryption=True
)
_expected = _parameter["Parameter"]["Value"].encode()


def handler(event, context):
    given = (event.get("queryStringParameters") or {}).get("token", "").encode()
    allowed = hmac.compare_digest(given, _expected)
    return {
        "principalId": "chat",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if allowed else "Deny",
                    "Resource": event["methodArn"],
                }
            ],
        },
    }
