from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='VoteRequestRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('voter_id', fields.CharField(max_length=64)),
                ('key', fields.CharField(max_length=200)),
                ('fingerprint', fields.CharField(max_length=500)),
                ('result', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'vote_request', 'app': 'verdict', 'unique_together': (('voter_id', 'key'),), 'pk_attr': 'id', 'table_description': 'An idempotency key a voter sent with castVote or retractVote, and the first result.'},
            bases=['Model'],
        ),
    ]
