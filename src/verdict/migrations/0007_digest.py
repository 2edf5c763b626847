from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0006_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DigestSubscriber',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('nonce', fields.CharField(description='Random, named by its links: a new row voids old links', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_mail_at', fields.DatetimeField(null=True, description='When a confirmation or notice was last mailed (throttle)', auto_now=False, auto_now_add=False)),
                ('sent_through', fields.DatetimeField(null=True, description='Publication time of the newest comparison in the last digest', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'digest_subscriber', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'One address that asked for the digest, confirmed (``confirmed_at``) by its mailed link.'},
            bases=['Model'],
        ),
    ]
