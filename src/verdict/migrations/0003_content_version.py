from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0002_vote_request')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContentVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=120)),
                ('version', fields.CharField(max_length=32)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'content_version', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'The current version of one cache dependency key.'},
            bases=['Model'],
        ),
    ]
