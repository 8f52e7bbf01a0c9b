"""botocore's side of the S3 tests (tests/s3_test.cc).

  s3_reference.py setup ENDPOINT BUCKET
      On a fresh moto_server started with INITIAL_NO_AUTH_ACTION_COUNT=4, spends those four
      unchecked requests on an IAM user allowed s3:*, its access key and the bucket; prints
      "<access key id> <secret>". From then on moto checks every signature.

  s3_reference.py presign ENDPOINT STYLE BUCKET KEY EXPIRES UNIX_SECONDS AKID SECRET REGION
      Prints botocore's presigned GET URL for the object at that fixed time.

  s3_reference.py count ENDPOINT BUCKET PREFIX AKID SECRET
      Prints how many objects the bucket holds under PREFIX (the HTTP tests' "nothing stored").
"""
import datetime
import json
import sys

import botocore.auth
import botocore.session
from botocore.config import Config


def client(service, endpoint, akid="setup", secret="setup", region="us-east-1", style="path"):
    return botocore.session.get_session().create_client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=akid,
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )


def setup(endpoint, bucket):
    iam = client("iam", endpoint)
    iam.create_user(UserName="datastory")
    iam.put_user_policy(
        UserName="datastory",
        PolicyName="s3-all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    )
    key = iam.create_access_key(UserName="datastory")["AccessKey"]
    client("s3", endpoint).create_bucket(Bucket=bucket)
    print(key["AccessKeyId"], key["SecretAccessKey"])


def presign(endpoint, style, bucket, key, expires, unix_seconds, akid, secret, region):
    moment = datetime.datetime.fromtimestamp(int(unix_seconds), datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: moment.replace(tzinfo=None)
    s3 = client("s3", endpoint, akid, secret, region, style)
    print(s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=int(expires)))


def count(endpoint, bucket, prefix, akid, secret):
    s3 = client("s3", endpoint, akid, secret)
    # The whole bucket, filtered here: moto rejects the signature of a listing whose Prefix
    # holds a '/' (it checks the query with the slash decoded).
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    print(sum(1 for page in pages for item in page.get("Contents", [])
              if item["Key"].startswith(prefix)))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "presign": presign, "count": count}[command](*args)
